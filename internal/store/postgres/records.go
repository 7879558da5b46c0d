package postgres

import (
	"time"

	"github.com/amplifylite/amplifylite/internal/store/record"
)

// dialect is PostgreSQL's SQL for the shared record methods; pgx prepares
// and caches each statement on every connection. Times are timestamptz;
// NULL is no LIMIT.
var dialect = record.Dialect{
	Time:    func(t time.Time) any { return t },
	NoLimit: nil,

	App:       `SELECT data FROM apps WHERE account = $1 AND region = $2 AND app_id = $3`,
	AppExists: `SELECT 1 FROM apps WHERE account = $1 AND region = $2 AND app_id = $3`,
	PutApp: `INSERT INTO apps (account, region, app_id, data) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account, region, app_id) DO UPDATE SET data = excluded.data`,
	DeleteApp: `DELETE FROM apps WHERE account = $1 AND region = $2 AND app_id = $3`,

	Envs: `SELECT data FROM envs WHERE account = $1 AND region = $2 AND app_id = $3
		ORDER BY created, name`,
	Env: `SELECT data FROM envs WHERE account = $1 AND region = $2 AND app_id = $3 AND name = $4`,
	PutEnv: `INSERT INTO envs (account, region, app_id, name, created, data) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (account, region, app_id, name) DO UPDATE SET created = excluded.created, data = excluded.data`,
	EnvExists: `SELECT EXISTS (SELECT 1 FROM apps WHERE account = $1 AND region = $2 AND app_id = $3),
		EXISTS (SELECT 1 FROM envs WHERE account = $1 AND region = $2 AND app_id = $3 AND name = $4)`,
	MarkPushed: `UPDATE envs SET data = jsonb_set(data::jsonb, '{pushed}', to_jsonb($5::text))::json
		WHERE account = $1 AND region = $2 AND app_id = $3 AND name = $4`,
	// One statement removes the environment and its resources.
	DeleteEnv: []string{`WITH r AS (
			DELETE FROM resources WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4
		)
		DELETE FROM envs WHERE account = $1 AND region = $2 AND app_id = $3 AND name = $4`},

	Resources: `SELECT data FROM resources WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4
		ORDER BY kind, name`,
	Resource: `SELECT data FROM resources WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4 AND kind = $5 AND name = $6`,
	ResourceOfKind: `SELECT data FROM resources WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4 AND kind = $5
		ORDER BY name LIMIT 1`,
	PutResource: `INSERT INTO resources (account, region, app_id, env, kind, name, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (account, region, app_id, env, kind, name) DO UPDATE SET data = excluded.data`,
	DeleteResource: `DELETE FROM resources WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4 AND kind = $5 AND name = $6`,

	Token: `SELECT data FROM tokens WHERE account = $1 AND region = $2 AND app_id = $3 AND session_id = $4`,
	PutToken: `INSERT INTO tokens (account, region, app_id, session_id, data) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (account, region, app_id, session_id) DO UPDATE SET data = excluded.data`,
	AddToken: `INSERT INTO tokens (account, region, app_id, session_id, data) SELECT $1, $2, $3, $4, $5::json
		WHERE EXISTS (SELECT 1 FROM apps WHERE account = $1 AND region = $2 AND app_id = $3)
		ON CONFLICT (account, region, app_id, session_id) DO UPDATE SET data = excluded.data`,
	DeleteToken: `DELETE FROM tokens WHERE account = $1 AND region = $2 AND app_id = $3 AND session_id = $4`,

	Buckets: `SELECT data FROM (
			SELECT name, data FROM buckets WHERE account = $1 AND region = $2
			UNION ALL
			SELECT s.name, s.data FROM shared_buckets s
			WHERE NOT EXISTS (SELECT 1 FROM buckets b WHERE b.account = $1 AND b.region = $2 AND b.name = s.name)
		) u ORDER BY name`,
	PutBucket: `INSERT INTO buckets (account, region, name, data) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account, region, name) DO UPDATE SET data = excluded.data`,
	DeleteBucket:       `DELETE FROM buckets WHERE account = $1 AND region = $2 AND name = $3`,
	EnsureSharedBucket: `INSERT INTO shared_buckets (name, data) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,

	Job: `SELECT data, payload FROM jobs WHERE account = $1 AND region = $2 AND app_id = $3 AND job_id = $4`,
	RunningJob: `SELECT j.data, j.payload FROM job_envs e
		JOIN jobs j ON j.account = e.account AND j.region = e.region AND j.app_id = e.app_id AND j.job_id = e.job_id
		WHERE e.account = $1 AND e.region = $2 AND e.app_id = $3 AND e.env = $4 AND e.status = 'RUNNING'
		ORDER BY e.created, e.job_id LIMIT 1`,
	Jobs:    jobsQueries(),
	HasJobs: `SELECT EXISTS (SELECT 1 FROM job_envs WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4)`,
	DueJobs: `SELECT account, region, app_id, job_id FROM jobs
		WHERE status = 'RUNNING' AND due <= $1
		ORDER BY due, account, region, app_id, job_id LIMIT $2`,
	NextDue: `SELECT data FROM jobs WHERE status = 'RUNNING' ORDER BY due LIMIT 1`,

	Partitions: `SELECT account, region FROM (
			SELECT account, region FROM apps
			UNION SELECT account, region FROM envs
			UNION SELECT account, region FROM resources
			UNION SELECT account, region FROM jobs
			UNION SELECT account, region FROM tokens
			UNION SELECT account, region FROM buckets
		) p ORDER BY account, region`,
	AppIDs: `SELECT app_id FROM (
			SELECT app_id FROM apps WHERE account = $1 AND region = $2
			UNION SELECT app_id FROM envs WHERE account = $1 AND region = $2
			UNION SELECT app_id FROM resources WHERE account = $1 AND region = $2
			UNION SELECT app_id FROM jobs WHERE account = $1 AND region = $2
			UNION SELECT app_id FROM tokens WHERE account = $1 AND region = $2
		) a ORDER BY app_id`,
	AppJobs: `SELECT data, payload FROM jobs WHERE account = $1 AND region = $2 AND app_id = $3
		ORDER BY created, job_id`,
	Tokens:       `SELECT data FROM tokens WHERE account = $1 AND region = $2 AND app_id = $3 ORDER BY session_id`,
	OwnedBuckets: `SELECT data FROM buckets WHERE account = $1 AND region = $2 ORDER BY name`,
	DeleteRecords: []record.Removal{
		{Kind: "", Count: "",
			Delete: `DELETE FROM job_envs WHERE account = $1 AND region = $2 AND ($3 = '' OR app_id = $3)`},
		{Kind: "jobs", Count: `SELECT count(*) FROM jobs WHERE account = $1 AND region = $2 AND ($3 = '' OR app_id = $3)`,
			Delete: `DELETE FROM jobs WHERE account = $1 AND region = $2 AND ($3 = '' OR app_id = $3)`},
		{Kind: "resources", Count: `SELECT count(*) FROM resources WHERE account = $1 AND region = $2 AND ($3 = '' OR app_id = $3)`,
			Delete: `DELETE FROM resources WHERE account = $1 AND region = $2 AND ($3 = '' OR app_id = $3)`},
		{Kind: "environments", Count: `SELECT count(*) FROM envs WHERE account = $1 AND region = $2 AND ($3 = '' OR app_id = $3)`,
			Delete: `DELETE FROM envs WHERE account = $1 AND region = $2 AND ($3 = '' OR app_id = $3)`},
		{Kind: "tokens", Count: `SELECT count(*) FROM tokens WHERE account = $1 AND region = $2 AND ($3 = '' OR app_id = $3)`,
			Delete: `DELETE FROM tokens WHERE account = $1 AND region = $2 AND ($3 = '' OR app_id = $3)`},
		{Kind: "apps", Count: `SELECT count(*) FROM apps WHERE account = $1 AND region = $2 AND ($3 = '' OR app_id = $3)`,
			Delete: `DELETE FROM apps WHERE account = $1 AND region = $2 AND ($3 = '' OR app_id = $3)`},
	},
}
