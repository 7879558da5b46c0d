package sqlite

import "github.com/amplifylite/amplifylite/internal/store/record"

// dialect is SQLite's SQL for the shared record methods. Times are Unix
// nanoseconds (see nanos); -1 is no LIMIT.
var dialect = record.Dialect{
	Time:    nanos,
	NoLimit: -1,

	App:       query(`SELECT data FROM apps WHERE account = ? AND region = ? AND app_id = ?`),
	AppExists: query(`SELECT 1 FROM apps WHERE account = ? AND region = ? AND app_id = ?`),
	PutApp: query(`INSERT INTO apps (account, region, app_id, data) VALUES (?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET data = excluded.data`),
	DeleteApp: query(`DELETE FROM apps WHERE account = ? AND region = ? AND app_id = ?`),

	Envs: query(`SELECT data FROM envs WHERE account = ? AND region = ? AND app_id = ?
		ORDER BY created, name`),
	Env: query(`SELECT data FROM envs WHERE account = ? AND region = ? AND app_id = ? AND name = ?`),
	PutEnv: query(`INSERT INTO envs (account, region, app_id, name, created, data) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET created = excluded.created, data = excluded.data`),
	EnvExists: query(`SELECT EXISTS (SELECT 1 FROM apps WHERE account = ?1 AND region = ?2 AND app_id = ?3),
		EXISTS (SELECT 1 FROM envs WHERE account = ?1 AND region = ?2 AND app_id = ?3 AND name = ?4)`),
	MarkPushed: query(`UPDATE envs SET data = json_set(data, '$.pushed', ?5)
		WHERE account = ?1 AND region = ?2 AND app_id = ?3 AND name = ?4`),
	DeleteEnv: []string{
		query(`DELETE FROM resources WHERE account = ? AND region = ? AND app_id = ? AND env = ?`),
		query(`DELETE FROM envs WHERE account = ? AND region = ? AND app_id = ? AND name = ?`),
	},

	Resources: query(`SELECT data FROM resources WHERE account = ? AND region = ? AND app_id = ? AND env = ?
		ORDER BY kind, name`),
	Resource: query(`SELECT data FROM resources WHERE account = ? AND region = ? AND app_id = ? AND env = ? AND kind = ? AND name = ?`),
	ResourceOfKind: query(`SELECT data FROM resources WHERE account = ? AND region = ? AND app_id = ? AND env = ? AND kind = ?
		ORDER BY name LIMIT 1`),
	PutResource: query(`INSERT INTO resources (account, region, app_id, env, kind, name, data) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET data = excluded.data`),
	DeleteResource: query(`DELETE FROM resources WHERE account = ? AND region = ? AND app_id = ? AND env = ? AND kind = ? AND name = ?`),

	Token: query(`SELECT data FROM tokens WHERE account = ? AND region = ? AND app_id = ? AND session_id = ?`),
	PutToken: query(`INSERT INTO tokens (account, region, app_id, session_id, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET data = excluded.data`),
	AddToken: query(`INSERT INTO tokens (account, region, app_id, session_id, data) SELECT ?1, ?2, ?3, ?4, ?5
		WHERE EXISTS (SELECT 1 FROM apps WHERE account = ?1 AND region = ?2 AND app_id = ?3)
		ON CONFLICT DO UPDATE SET data = excluded.data`),
	DeleteToken: query(`DELETE FROM tokens WHERE account = ? AND region = ? AND app_id = ? AND session_id = ?`),

	Buckets: query(`SELECT data FROM (
			SELECT name, data FROM buckets WHERE account = ?1 AND region = ?2
			UNION ALL
			SELECT name, data FROM shared_buckets
			WHERE name NOT IN (SELECT name FROM buckets WHERE account = ?1 AND region = ?2)
		) ORDER BY name`),
	PutBucket: query(`INSERT INTO buckets (account, region, name, data) VALUES (?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET data = excluded.data`),
	DeleteBucket: query(`DELETE FROM buckets WHERE account = ? AND region = ? AND name = ?`),
	EnsureSharedBucket: query(`INSERT INTO shared_buckets (name, data) VALUES (?, ?)
		ON CONFLICT DO NOTHING`),

	Job: query(`SELECT data, payload FROM jobs WHERE account = ? AND region = ? AND app_id = ? AND job_id = ?`),
	RunningJob: query(`SELECT j.data, j.payload FROM job_envs e
		JOIN jobs j ON j.account = e.account AND j.region = e.region AND j.app_id = e.app_id AND j.job_id = e.job_id
		WHERE e.account = ? AND e.region = ? AND e.app_id = ? AND e.env = ? AND e.status = 'RUNNING'
		ORDER BY e.created, e.job_id LIMIT 1`),
	Jobs:    jobsQueries(),
	HasJobs: query(`SELECT EXISTS (SELECT 1 FROM job_envs WHERE account = ? AND region = ? AND app_id = ? AND env = ?)`),
	DueJobs: query(`SELECT account, region, app_id, job_id FROM jobs
		WHERE status = 'RUNNING' AND due <= ?
		ORDER BY due, account, region, app_id, job_id LIMIT ?`),
	NextDue: query(`SELECT data FROM jobs WHERE status = 'RUNNING' ORDER BY due LIMIT 1`),

	Partitions: query(`SELECT account, region FROM (
			SELECT account, region FROM apps
			UNION SELECT account, region FROM envs
			UNION SELECT account, region FROM resources
			UNION SELECT account, region FROM jobs
			UNION SELECT account, region FROM tokens
			UNION SELECT account, region FROM buckets
		) p ORDER BY account, region`),
	AppIDs: query(`SELECT app_id FROM (
			SELECT app_id FROM apps WHERE account = ?1 AND region = ?2
			UNION SELECT app_id FROM envs WHERE account = ?1 AND region = ?2
			UNION SELECT app_id FROM resources WHERE account = ?1 AND region = ?2
			UNION SELECT app_id FROM jobs WHERE account = ?1 AND region = ?2
			UNION SELECT app_id FROM tokens WHERE account = ?1 AND region = ?2
		) a ORDER BY app_id`),
	AppJobs: query(`SELECT data, payload FROM jobs WHERE account = ?1 AND region = ?2 AND app_id = ?3
		ORDER BY created, job_id`),
	Tokens:       query(`SELECT data FROM tokens WHERE account = ?1 AND region = ?2 AND app_id = ?3 ORDER BY session_id`),
	OwnedBuckets: query(`SELECT data FROM buckets WHERE account = ?1 AND region = ?2 ORDER BY name`),
	DeleteRecords: []record.Removal{
		{Kind: "", Count: "",
			Delete: query(`DELETE FROM job_envs WHERE account = ?1 AND region = ?2 AND (?3 = '' OR app_id = ?3)`)},
		{Kind: "jobs", Count: query(`SELECT count(*) FROM jobs WHERE account = ?1 AND region = ?2 AND (?3 = '' OR app_id = ?3)`),
			Delete: query(`DELETE FROM jobs WHERE account = ?1 AND region = ?2 AND (?3 = '' OR app_id = ?3)`)},
		{Kind: "resources", Count: query(`SELECT count(*) FROM resources WHERE account = ?1 AND region = ?2 AND (?3 = '' OR app_id = ?3)`),
			Delete: query(`DELETE FROM resources WHERE account = ?1 AND region = ?2 AND (?3 = '' OR app_id = ?3)`)},
		{Kind: "environments", Count: query(`SELECT count(*) FROM envs WHERE account = ?1 AND region = ?2 AND (?3 = '' OR app_id = ?3)`),
			Delete: query(`DELETE FROM envs WHERE account = ?1 AND region = ?2 AND (?3 = '' OR app_id = ?3)`)},
		{Kind: "tokens", Count: query(`SELECT count(*) FROM tokens WHERE account = ?1 AND region = ?2 AND (?3 = '' OR app_id = ?3)`),
			Delete: query(`DELETE FROM tokens WHERE account = ?1 AND region = ?2 AND (?3 = '' OR app_id = ?3)`)},
		{Kind: "apps", Count: query(`SELECT count(*) FROM apps WHERE account = ?1 AND region = ?2 AND (?3 = '' OR app_id = ?3)`),
			Delete: query(`DELETE FROM apps WHERE account = ?1 AND region = ?2 AND (?3 = '' OR app_id = ?3)`)},
	},
}
