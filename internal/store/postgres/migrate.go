package postgres

import (
	"context"

	"github.com/amplifylite/amplifylite/internal/store/record"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are the schema's numbered steps (see record.Migration).
var migrations = []record.Migration{schemaV1, jobPayloads}

// schemaV1 is the first schema, the SQLite one in PostgreSQL's terms. Each
// record is a JSON document in data (json keeps the text as written); the key
// columns duplicate what queries filter and order on. Text keys collate as
// "C" (byte order, as in SQLite) whatever the database's locale. Every key
// starts with (account, region).
var schemaV1 = record.Migration{
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

// jobPayloads (version 2) moves each job's payload out of its JSON
// document into a column of its own, which listings do not read (NULL when
// the job has none), and copies its update time into a column, for the
// purge of finished jobs. The document is rebuilt from its members as
// written (json_each keeps their text; jsonb would not take \u0000).
var jobPayloads = record.Migration{
	`ALTER TABLE jobs ADD COLUMN updated timestamptz, ADD COLUMN payload json`,
	`UPDATE jobs SET
		payload = CASE WHEN json_typeof(data -> 'payload') = 'null' THEN NULL ELSE data -> 'payload' END,
		data = coalesce((SELECT json_object_agg(key, value) FROM json_each(data) WHERE key <> 'payload'), '{}'::json),
		updated = (data ->> 'updated')::timestamptz`,
	`ALTER TABLE jobs ALTER COLUMN updated SET NOT NULL`,
	// PurgeJobs scans only finished jobs, least recently updated first.
	`CREATE INDEX jobs_finished_by_updated ON jobs (updated) WHERE status <> 'RUNNING'`,
}

// migrateLock is the first key of the advisory lock that serialises
// migrations; the second is a hash of the schema migrated.
const migrateLock = 0x616d706c // "ampl"

// migrate applies every pending migration in one transaction, holding an
// advisory lock until it commits, so that replicas starting together
// migrate once. The database either reaches the last version or stays as
// it was; one newer than this release is refused.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return migrateWith(ctx, pool, migrations)
}

func migrateWith(ctx context.Context, pool *pgxpool.Pool, ms []record.Migration) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(coalesce(current_schema(), '')))`, migrateLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY,
			applied timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return err
		}
		var v int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
			return err
		}
		exec := func(stmt string) error {
			_, err := tx.Exec(ctx, stmt)
			return err
		}
		applied := func(version int) error {
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, version)
			return err
		}
		return record.Migrate(ms, v, exec, applied)
	})
}
