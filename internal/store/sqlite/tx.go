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

// tx implements backend.Tx on the transaction open on c.
type tx struct {
	ctx      context.Context
	c        *conn
	readOnly bool
}

func (t *tx) exec(q string, args ...any) error {
	if t.readOnly {
		return errReadOnly
	}
	return t.c.exec(t.ctx, q, args...)
}

// query runs q and returns its rows.
func (t *tx) query(q string, args ...any) (*sql.Rows, error) {
	st, err := t.c.stmt(t.ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(t.ctx, args...)
}

// scan scans the single row q returns into dest; sql.ErrNoRows if none.
func (t *tx) scan(q string, args []any, dest ...any) error {
	st, err := t.c.stmt(t.ctx, q)
	if err != nil {
		return err
	}
	return st.QueryRowContext(t.ctx, args...).Scan(dest...)
}

// get decodes the data column of the single row query returns into dst and
// reports whether there was one.
func (t *tx) get(dst any, q string, args ...any) (bool, error) {
	var data []byte
	err := t.scan(q, args, &data)
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
	rows, err := t.query(q, args...)
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
