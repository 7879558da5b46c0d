package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are the schema's numbered steps: migrations[i] takes the
// database to version i+1. Append only; never edit a released step.
var migrations = [][]string{schemaV1}

// schemaV1 is the first schema. Each record is a JSON document in data; the
// key columns duplicate what queries filter and order on. Times are Unix
// nanoseconds (see nanos). Every key starts with (account, region).
var schemaV1 = []string{
	`CREATE TABLE meta (
		key   TEXT PRIMARY KEY,
		value BLOB NOT NULL
	) WITHOUT ROWID`,
	`CREATE TABLE apps (
		account TEXT NOT NULL, region TEXT NOT NULL, app_id TEXT NOT NULL,
		data    TEXT NOT NULL,
		PRIMARY KEY (account, region, app_id)
	) WITHOUT ROWID`,
	`CREATE TABLE envs (
		account TEXT NOT NULL, region TEXT NOT NULL, app_id TEXT NOT NULL, name TEXT NOT NULL,
		created INTEGER NOT NULL,
		data    TEXT NOT NULL,
		PRIMARY KEY (account, region, app_id, name)
	) WITHOUT ROWID`,
	`CREATE INDEX envs_by_created ON envs (account, region, app_id, created, name)`,
	`CREATE TABLE resources (
		account TEXT NOT NULL, region TEXT NOT NULL, app_id TEXT NOT NULL, env TEXT NOT NULL,
		kind    TEXT NOT NULL, name TEXT NOT NULL,
		data    TEXT NOT NULL,
		PRIMARY KEY (account, region, app_id, env, kind, name)
	) WITHOUT ROWID`,
	`CREATE TABLE jobs (
		account TEXT NOT NULL, region TEXT NOT NULL, app_id TEXT NOT NULL, job_id TEXT NOT NULL,
		created INTEGER NOT NULL,
		status  TEXT NOT NULL,
		due     INTEGER NOT NULL,
		data    TEXT NOT NULL,
		UNIQUE (account, region, app_id, job_id)
	)`,
	// DueJobs and NextDue scan only running jobs, soonest first.
	`CREATE INDEX jobs_running_by_due ON jobs (due, account, region, app_id, job_id) WHERE status = 'RUNNING'`,
	// job_envs lists a job under each of its environments, in (created,
	// job_id) order; status and operation are copies for the filters.
	`CREATE TABLE job_envs (
		account   TEXT NOT NULL, region TEXT NOT NULL, app_id TEXT NOT NULL, env TEXT NOT NULL,
		created   INTEGER NOT NULL, job_id TEXT NOT NULL,
		status    TEXT NOT NULL,
		operation TEXT NOT NULL,
		PRIMARY KEY (account, region, app_id, env, created, job_id)
	) WITHOUT ROWID`,
	`CREATE INDEX job_envs_by_status ON job_envs (account, region, app_id, env, status, created, job_id)`,
	`CREATE INDEX job_envs_by_operation ON job_envs (account, region, app_id, env, operation, created, job_id)`,
	`CREATE TABLE tokens (
		account TEXT NOT NULL, region TEXT NOT NULL, app_id TEXT NOT NULL, session_id TEXT NOT NULL,
		data    TEXT NOT NULL,
		PRIMARY KEY (account, region, app_id, session_id)
	) WITHOUT ROWID`,
	`CREATE TABLE buckets (
		account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
		data    TEXT NOT NULL,
		PRIMARY KEY (account, region, name)
	) WITHOUT ROWID`,
	`CREATE TABLE shared_buckets (
		name TEXT PRIMARY KEY,
		data TEXT NOT NULL
	) WITHOUT ROWID`,
}

// sqlConn is what migrations run on: a *sql.DB or a *sql.Conn.
type sqlConn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// migrate applies every pending step, each in its own transaction.
func migrate(ctx context.Context, db sqlConn) error {
	if _, err := db.ExecContext(ctx, qCreateMigrations); err != nil {
		return err
	}
	for {
		done, err := step(ctx, db)
		if err != nil || done {
			return err
		}
	}
}

const qCreateMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	applied INTEGER NOT NULL
)`

// step applies the next pending migration and reports whether none was left.
func step(ctx context.Context, db sqlConn) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return false, err
	}
	switch {
	case v > len(migrations):
		return false, fmt.Errorf("database schema version %d is newer than this program's %d", v, len(migrations))
	case v == len(migrations):
		return true, nil
	}
	if err := apply(ctx, tx, v); err != nil {
		return false, err
	}
	return false, tx.Commit()
}

// apply runs migrations[v] in tx and records version v+1.
func apply(ctx context.Context, tx *sql.Tx, v int) error {
	for _, stmt := range migrations[v] {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("version %d: %w", v+1, err)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`, v+1, time.Now().UnixNano())
	return err
}
