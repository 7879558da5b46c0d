package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"time"
)

// errReadOnly is returned by writes inside View.
var errReadOnly = errors.New("write in a read-only transaction")

// tx implements backend.Tx on one SQL transaction.
type tx struct {
	ctx      context.Context
	tx       *sql.Tx
	stmts    stmts
	readOnly bool
}

// stmt returns q's prepared statement bound to the transaction.
func (t *tx) stmt(q string) *sql.Stmt {
	st, ok := t.stmts[q]
	if !ok {
		panic("sqlite: unregistered query: " + q)
	}
	return t.tx.StmtContext(t.ctx, st)
}

func (t *tx) exec(q string, args ...any) error {
	if t.readOnly {
		return errReadOnly
	}
	_, err := t.stmt(q).ExecContext(t.ctx, args...)
	return err
}

// get decodes the data column of the single row query returns into dst and
// reports whether there was one.
func (t *tx) get(dst any, q string, args ...any) (bool, error) {
	var data []byte
	err := t.stmt(q).QueryRowContext(t.ctx, args...).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(data, dst)
}

// list decodes the data column of every row query returns.
func list[T any](t *tx, q string, args ...any) ([]T, error) {
	rows, err := t.stmt(q).QueryContext(t.ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

var (
	minNanos = time.Unix(0, math.MinInt64)
	maxNanos = time.Unix(0, math.MaxInt64)
)

// nanos is t as Unix nanoseconds for ordering columns, clamped to the
// representable years 1678–2262 (the zero time sorts first). Records keep
// the exact time in their JSON.
func nanos(t time.Time) int64 {
	switch {
	case t.Before(minNanos):
		return math.MinInt64
	case t.After(maxNanos):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// nullRaw maps the JSON null a nil RawMessage is stored as back to nil.
func nullRaw(m json.RawMessage) json.RawMessage {
	if string(m) == "null" {
		return nil
	}
	return m
}
