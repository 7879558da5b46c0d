package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are the schema's numbered steps: migrations[i] takes the
// database to version i+1. Append only; never edit a released step.
var migrations = [][]string{schemaV1}

// schemaV1 is the first schema, the SQLite one in PostgreSQL's terms. Each
// record is a JSON document in data (json keeps the text as written); the key
// columns duplicate what queries filter and order on. Text keys collate as
// "C" (byte order, as in SQLite) whatever the database's locale. Every key
// starts with (account, region).
var schemaV1 = []string{
	`CREATE TABLE meta (
		key   text COLLATE "C" PRIMARY KEY,
		value bytea NOT NULL
	)`,
	`CREATE TABLE apps (
		account text COLLATE "C" NOT NULL, region text COLLATE "C" NOT NULL, app_id text COLLATE "C" NOT NULL,
		data    json NOT NULL,
		PRIMARY KEY (account, region, app_id)
	)`,
	`CREATE TABLE envs (
		account text COLLATE "C" NOT NULL, region text COLLATE "C" NOT NULL, app_id text COLLATE "C" NOT NULL,
		name    text COLLATE "C" NOT NULL,
		created timestamptz NOT NULL,
		data    json NOT NULL,
		PRIMARY KEY (account, region, app_id, name)
	)`,
	`CREATE INDEX envs_by_created ON envs (account, region, app_id, created, name)`,
	`CREATE TABLE resources (
		account text COLLATE "C" NOT NULL, region text COLLATE "C" NOT NULL, app_id text COLLATE "C" NOT NULL,
		env     text COLLATE "C" NOT NULL, kind text COLLATE "C" NOT NULL, name text COLLATE "C" NOT NULL,
		data    json NOT NULL,
		PRIMARY KEY (account, region, app_id, env, kind, name)
	)`,
	// envs lists the environments the job is listed under (job_envs rows).
	`CREATE TABLE jobs (
		account text COLLATE "C" NOT NULL, region text COLLATE "C" NOT NULL, app_id text COLLATE "C" NOT NULL,
		job_id  text COLLATE "C" NOT NULL,
		created timestamptz NOT NULL,
		status  text COLLATE "C" NOT NULL,
		due     timestamptz NOT NULL,
		envs    text[] COLLATE "C" NOT NULL,
		data    json NOT NULL,
		PRIMARY KEY (account, region, app_id, job_id)
	)`,
	// DueJobs and NextDue scan only running jobs, soonest first.
	`CREATE INDEX jobs_running_by_due ON jobs (due, account, region, app_id, job_id) WHERE status = 'RUNNING'`,
	// job_envs lists a job under each of its environments, in (created,
	// job_id) order; status and operation are copies for the filters.
	`CREATE TABLE job_envs (
		account   text COLLATE "C" NOT NULL, region text COLLATE "C" NOT NULL, app_id text COLLATE "C" NOT NULL,
		env       text COLLATE "C" NOT NULL,
		created   timestamptz NOT NULL,
		job_id    text COLLATE "C" NOT NULL,
		status    text COLLATE "C" NOT NULL,
		operation text COLLATE "C" NOT NULL,
		PRIMARY KEY (account, region, app_id, env, created, job_id)
	)`,
	`CREATE INDEX job_envs_by_status ON job_envs (account, region, app_id, env, status, created, job_id)`,
	`CREATE INDEX job_envs_by_operation ON job_envs (account, region, app_id, env, operation, created, job_id)`,
	`CREATE TABLE tokens (
		account    text COLLATE "C" NOT NULL, region text COLLATE "C" NOT NULL, app_id text COLLATE "C" NOT NULL,
		session_id text COLLATE "C" NOT NULL,
		data       json NOT NULL,
		PRIMARY KEY (account, region, app_id, session_id)
	)`,
	`CREATE TABLE buckets (
		account text COLLATE "C" NOT NULL, region text COLLATE "C" NOT NULL, name text COLLATE "C" NOT NULL,
		data    json NOT NULL,
		PRIMARY KEY (account, region, name)
	)`,
	`CREATE TABLE shared_buckets (
		name text COLLATE "C" PRIMARY KEY,
		data json NOT NULL
	)`,
}

// migrateLock is the first key of the advisory lock that serialises
// migrations; the second is a hash of the schema migrated.
const migrateLock = 0x616d706c // "ampl"

// migrate applies every pending step, each in its own transaction.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	for {
		done, err := step(ctx, pool)
		if err != nil || done {
			return err
		}
	}
}

// step applies the next pending migration and reports whether none was
// left. It holds an advisory lock until it commits, so that replicas
// starting together apply each step once.
func step(ctx context.Context, pool *pgxpool.Pool) (done bool, err error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(coalesce(current_schema(), '')))`, migrateLock); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY,
		applied timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return false, err
	}
	var v int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return false, err
	}
	switch {
	case v > len(migrations):
		return false, fmt.Errorf("database schema version %d is newer than this program's %d", v, len(migrations))
	case v == len(migrations):
		return true, nil
	}
	for _, stmt := range migrations[v] {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return false, fmt.Errorf("version %d: %w", v+1, err)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, v+1); err != nil {
		return false, err
	}
	return false, tx.Commit(ctx)
}
