package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/amplifylite/amplifylite/internal/store/record"
)

// migrations are the schema's numbered steps (see record.Migration).
var migrations = []record.Migration{schemaV1, jobPayloads}

// schemaV1 is the first schema. Each record is a JSON document in data; the
// key columns duplicate what queries filter and order on. Times are Unix
// nanoseconds (see nanos). Every key starts with (account, region).
var schemaV1 = record.Migration{
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
		` + jobsColumnsV1 + `
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

// jobsColumnsV1 are the jobs table's columns in schemaV1.
const jobsColumnsV1 = `account TEXT NOT NULL, region TEXT NOT NULL, app_id TEXT NOT NULL, job_id TEXT NOT NULL,
		created INTEGER NOT NULL,
		status  TEXT NOT NULL,
		due     INTEGER NOT NULL,
		data    TEXT NOT NULL,`

// jobPayloads (version 2) moves each job's payload out of its JSON
// document into a column of its own, which listings do not read (NULL when
// the job has none), and copies its update time into a column, in Unix
// nanoseconds as nanos clamps them, for the purge of finished jobs.
var jobPayloads = record.Migration{
	`ALTER TABLE jobs ADD COLUMN updated INTEGER NOT NULL DEFAULT 0`,
	`ALTER TABLE jobs ADD COLUMN payload TEXT`,
	`UPDATE jobs SET payload = nullif(data -> '$.payload', 'null'), data = json_remove(data, '$.payload'),
		updated = coalesce((SELECT CASE
				WHEN ms < -9223372036854 THEN -9223372036854775808
				WHEN ms > 9223372036854 THEN 9223372036854775807
				ELSE ms * 1000000 END
			FROM (SELECT CAST(round(unixepoch(data ->> '$.updated', 'subsec') * 1000) AS INTEGER) AS ms)), 0)`,
	// PurgeJobs scans only finished jobs, least recently updated first.
	`CREATE INDEX jobs_finished_by_updated ON jobs (updated) WHERE status <> 'RUNNING'`,
}

// schema is the latest version's schema as one set of statements: what the
// migrations build from an empty database (TestSchema_SameAsMigrations
// compares the two), without the steps that only an existing database
// needs: ALTER TABLE (each one parses the whole schema again) and data
// migrations. build uses it for a new database. A new migration must be
// folded into it, and the new database's image made again (image.go:
// `go test ./internal/store/sqlite -run TestImage -update`).
var schema = record.Migration{
	schemaV1[0], // meta
	schemaV1[1], // apps
	schemaV1[2], // envs
	schemaV1[3], // envs_by_created
	schemaV1[4], // resources
	// jobs with jobPayloads' columns, in the order ALTER TABLE appends them.
	`CREATE TABLE jobs (
		` + jobsColumnsV1 + `
		updated INTEGER NOT NULL DEFAULT 0,
		payload TEXT,
		UNIQUE (account, region, app_id, job_id)
	)`,
	schemaV1[6],    // jobs_running_by_due
	schemaV1[7],    // job_envs
	schemaV1[8],    // job_envs_by_status
	schemaV1[9],    // job_envs_by_operation
	schemaV1[10],   // tokens
	schemaV1[11],   // buckets
	schemaV1[12],   // shared_buckets
	jobPayloads[3], // jobs_finished_by_updated
}

// sqlConn is what migrations run on: a *sql.DB or a *sql.Conn.
type sqlConn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

const qCreateMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	applied INTEGER NOT NULL
)`

const qApplied = `INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`

const qVersion = `SELECT coalesce(max(version), 0) FROM schema_migrations`

// migrate takes the database on c to the last of ms, applying every pending
// migration in one transaction: it either reaches the last version or stays
// as it was. Before it changes a database that has a schema, it copies it to
// backup(version) when backup is set. It refuses a database newer than ms.
func migrate(ctx context.Context, c sqlConn, ms []record.Migration, backup func(version int) string) error {
	if _, err := c.ExecContext(ctx, qCreateMigrations); err != nil {
		return err
	}
	var v int
	if err := c.QueryRowContext(ctx, qVersion).Scan(&v); err != nil {
		return err
	}
	if v == len(ms) {
		return nil
	}
	// The copy is a consistent snapshot (VACUUM INTO reads one), made
	// before the write transaction: VACUUM cannot run in one.
	copied := ""
	if v > 0 && v < len(ms) && backup != nil {
		copied = backup(v) + ".new-" + rand.Text()
		defer os.Remove(copied)
		if _, err := c.ExecContext(ctx, `VACUUM INTO ?`, copied); err != nil {
			return fmt.Errorf("back up version %d: %w", v, err)
		}
	}
	tx, err := c.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see params): one migrator at a time
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Another process may have migrated it meanwhile (and backed it up).
	var now int
	if err := tx.QueryRowContext(ctx, qVersion).Scan(&now); err != nil {
		return err
	}
	if copied != "" && now == v { // so the copy is of version v too
		if err := keep(copied, backup(v)); err != nil {
			return fmt.Errorf("back up version %d: %w", v, err)
		}
	}
	if err := migrateTx(ctx, tx, ms, now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// A migration that rewrote a table left a WAL as large; give the disk
	// back now rather than when the server stops. Failing that, the next
	// checkpoints reuse the file.
	c.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return nil
}

// migrateTx applies the migrations after version v in tx.
func migrateTx(ctx context.Context, tx *sql.Tx, ms []record.Migration, v int) error {
	exec := func(stmt string) error {
		_, err := tx.ExecContext(ctx, stmt)
		return err
	}
	applied := func(version int) error {
		_, err := tx.ExecContext(ctx, qApplied, version, time.Now().UnixNano())
		return err
	}
	return record.Migrate(ms, v, exec, applied)
}

// keep syncs the copy at tmp and renames it to path, replacing any file
// there, then syncs the directory.
func keep(tmp, path string) error {
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncFile(filepath.Dir(path))
}

// backupPath is where the database file at path is copied before it is
// migrated from version v.
func backupPath(path string, v int) string { return path + ".bak-" + strconv.Itoa(v) }
