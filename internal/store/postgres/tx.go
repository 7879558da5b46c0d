package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// errReadOnly is returned by writes inside View.
var errReadOnly = errors.New("write in a read-only transaction")

// tx implements backend.Tx on one PostgreSQL transaction.
type tx struct {
	ctx      context.Context
	tx       pgx.Tx
	readOnly bool
	// conflict is the first error that aborted the transaction for
	// conflicting with another; Update then retries.
	conflict error
}

// check notes err when it is a conflict and returns it.
func (t *tx) check(err error) error {
	if err != nil && t.conflict == nil && conflict(err) {
		t.conflict = err
	}
	return err
}

func (t *tx) exec(q string, args ...any) error {
	if t.readOnly {
		return errReadOnly
	}
	_, err := t.tx.Exec(t.ctx, q, args...)
	return t.check(err)
}

// batch sends the queued statements in one round trip.
func (t *tx) batch(b *pgx.Batch) error {
	if t.readOnly {
		return errReadOnly
	}
	return t.check(t.tx.SendBatch(t.ctx, b).Close())
}

// get decodes the data column of the single row q returns into dst and
// reports whether there was one.
func (t *tx) get(dst any, q string, args ...any) (bool, error) {
	var data []byte
	err := t.check(t.tx.QueryRow(t.ctx, q, args...).Scan(&data))
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(data, dst)
}

// list decodes the data column of every row q returns.
func list[T any](t *tx, q string, args ...any) ([]T, error) {
	rows, err := t.tx.Query(t.ctx, q, args...)
	if err != nil {
		return nil, t.check(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, t.check(err)
		}
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, t.check(rows.Err())
}

// encode is v as the JSON stored in a data column.
func encode(v any) (string, error) {
	data, err := json.Marshal(v)
	return string(data), err
}

// nullRaw maps the JSON null a nil RawMessage is stored as back to nil.
func nullRaw(m json.RawMessage) json.RawMessage {
	if string(m) == "null" {
		return nil
	}
	return m
}

// wrap prefixes a non-nil err with op.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}
