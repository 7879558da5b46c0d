package sqlite

import (
	"context"
	"math"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/record"
)

var _ backend.Tx = (*tx)(nil)

// tx implements backend.Tx on the transaction open on c: the shared
// record methods on SQLite's dialect, and the job writes.
type tx struct {
	record.Records
	ctx      context.Context
	c        *conn
	readOnly bool
}

func newTx(ctx context.Context, c *conn, readOnly bool) *tx {
	t := &tx{ctx: ctx, c: c, readOnly: readOnly}
	t.Records = record.Records{DB: t, Dialect: &dialect}
	return t
}

// Exec runs q, prepared on the connection.
func (t *tx) Exec(q string, args ...any) error {
	if t.readOnly {
		return record.ErrReadOnly
	}
	return t.c.exec(t.ctx, q, args...)
}

// ExecCount runs q, prepared on the connection, and returns the rows it
// changed.
func (t *tx) ExecCount(q string, args ...any) (int64, error) {
	if t.readOnly {
		return 0, record.ErrReadOnly
	}
	st, err := t.c.stmt(t.ctx, q)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(t.ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// QueryRow runs q, prepared on the connection, for one row.
func (t *tx) QueryRow(q string, args ...any) record.Row {
	st, err := t.c.stmt(t.ctx, q)
	if err != nil {
		return record.FailedRow(err)
	}
	return st.QueryRowContext(t.ctx, args...)
}

// Query runs q, prepared on the connection.
func (t *tx) Query(q string, args ...any) (record.Rows, error) {
	st, err := t.c.stmt(t.ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(t.ctx, args...)
}

var (
	minNanos = time.Unix(0, math.MinInt64)
	maxNanos = time.Unix(0, math.MaxInt64)
)

// nanos is t as Unix nanoseconds for ordering columns, clamped to the
// representable years 1678–2262 (the zero time sorts first). Records keep
// the exact time in their JSON.
func nanos(t time.Time) any {
	switch {
	case t.Before(minNanos):
		return int64(math.MinInt64)
	case t.After(maxNanos):
		return int64(math.MaxInt64)
	}
	return t.UnixNano()
}
