package postgres

import (
	"context"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/record"
	"github.com/jackc/pgx/v5"
)

var _ backend.Tx = (*tx)(nil)

// tx implements backend.Tx on one PostgreSQL transaction: the shared record
// methods on PostgreSQL's dialect, and the job writes.
type tx struct {
	record.Records
	ctx      context.Context
	tx       pgx.Tx
	readOnly bool
	// conflict is the first error that aborted the transaction for
	// conflicting with another; Update then retries.
	conflict error
}

func newTx(ctx context.Context, pgTx pgx.Tx, readOnly bool) *tx {
	t := &tx{ctx: ctx, tx: pgTx, readOnly: readOnly}
	t.Records = record.Records{DB: t, Dialect: &dialect}
	return t
}

// check notes err when it is a conflict and returns it.
func (t *tx) check(err error) error {
	if err != nil && t.conflict == nil && conflict(err) {
		t.conflict = err
	}
	return err
}

// Exec runs a statement that writes.
func (t *tx) Exec(q string, args ...any) error {
	if t.readOnly {
		return record.ErrReadOnly
	}
	_, err := t.tx.Exec(t.ctx, q, args...)
	return t.check(err)
}

// ExecCount runs q and returns the rows it changed.
func (t *tx) ExecCount(q string, args ...any) (int64, error) {
	if t.readOnly {
		return 0, record.ErrReadOnly
	}
	tag, err := t.tx.Exec(t.ctx, q, args...)
	return tag.RowsAffected(), t.check(err)
}

// QueryRow runs q for one row.
func (t *tx) QueryRow(q string, args ...any) record.Row {
	return row{t, t.tx.QueryRow(t.ctx, q, args...)}
}

// Query runs q.
func (t *tx) Query(q string, args ...any) (record.Rows, error) {
	r, err := t.tx.Query(t.ctx, q, args...)
	if err != nil {
		return nil, t.check(err)
	}
	return rows{t, r}, nil
}

// batch sends the queued statements in one round trip.
func (t *tx) batch(b *pgx.Batch) error {
	if t.readOnly {
		return record.ErrReadOnly
	}
	return t.check(t.tx.SendBatch(t.ctx, b).Close())
}

// row and rows note conflicts their errors report.
type row struct {
	t *tx
	pgx.Row
}

func (r row) Scan(dest ...any) error { return r.t.check(r.Row.Scan(dest...)) }

type rows struct {
	t *tx
	pgx.Rows
}

func (r rows) Scan(dest ...any) error { return r.t.check(r.Rows.Scan(dest...)) }
func (r rows) Err() error             { return r.t.check(r.Rows.Err()) }
func (r rows) Close() error           { r.Rows.Close(); return nil }
