package sqlite

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/record"
)

// LatestVersion is the schema version Open migrates to.
var LatestVersion = len(migrations)

// CheckpointEvery is checkpointEvery, for the external tests.
var CheckpointEvery = checkpointEvery

// Queries lists every statement a tx runs.
var Queries = queries

// onWriter runs fn on the writer connection, inside a write transaction.
func onWriter(t *testing.T, s *Store, fn func(c *conn) error) {
	t.Helper()
	err := s.Update(context.Background(), func(btx backend.Tx) error { return fn(btx.(*tx).c) })
	if err != nil {
		t.Fatal(err)
	}
}

// Pragma returns a PRAGMA's value on the writer connection.
func Pragma(t *testing.T, s *Store, name string) (v string) {
	t.Helper()
	onWriter(t, s, func(c *conn) error { return c.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&v) })
	return v
}

// SchemaVersion returns the highest applied migration.
func SchemaVersion(t *testing.T, s *Store) (v int) {
	t.Helper()
	onWriter(t, s, func(c *conn) error {
		return c.QueryRowContext(context.Background(), "SELECT max(version) FROM schema_migrations").Scan(&v)
	})
	return v
}

// SetSchemaVersion records version as applied.
func SetSchemaVersion(t *testing.T, s *Store, version int) {
	t.Helper()
	onWriter(t, s, func(c *conn) error {
		_, err := c.ExecContext(context.Background(), "INSERT INTO schema_migrations (version, applied) VALUES (?, 0)", version)
		return err
	})
}

// Prepare prepares q on the writer connection.
func Prepare(t *testing.T, s *Store, q string) error {
	t.Helper()
	var err error
	onWriter(t, s, func(c *conn) error {
		_, err = c.stmt(context.Background(), q)
		return nil
	})
	return err
}

// Queued returns the number of Updates waiting for the writer.
func Queued(s *Store) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Batches returns the number of write transactions ended so far.
func Batches(s *Store) int64 { return s.batches.Load() }

// Exec runs q on tx's connection, bypassing the Tx methods.
func Exec(btx backend.Tx, q string, args ...any) error {
	_, err := btx.(*tx).c.ExecContext(context.Background(), q, args...)
	return err
}

// SetBatchLimits sets the most Updates one batch takes and how long it
// takes more.
func SetBatchLimits(s *Store, n int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxBatch, s.maxBatchTime = n, d
}

// SetQuickCheckMax sets the largest database Open checks with quick_check
// (larger ones get the b-tree walk) until the test ends.
func SetQuickCheckMax(t testing.TB, n int64) {
	old := quickCheckMax.Swap(n)
	t.Cleanup(func() { quickCheckMax.Store(old) })
}

// PartialWhere is partialWhere.
var PartialWhere = partialWhere

// Migrations are the schema's migrations.
var Migrations = migrations

// OpenWith opens the database at path with the schema of ms instead.
func OpenWith(ctx context.Context, path string, ms []record.Migration) (*Store, error) {
	return open(ctx, path, ms)
}

// Scalar returns the single value q selects on the writer connection, as
// text ("" for NULL).
func Scalar(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	var v sql.NullString
	onWriter(t, s, func(c *conn) error { return c.QueryRowContext(context.Background(), q, args...).Scan(&v) })
	return v.String
}

// Schema is the latest schema as one set of statements.
var Schema = schema
