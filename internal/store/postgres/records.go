package postgres

import (
	"fmt"

	"github.com/amplifylite/amplifylite/internal/backend"
)

func (t *tx) App(p backend.Partition, appID string) (*backend.App, error) {
	var a backend.App
	ok, err := t.get(&a, qApp, p.Account, p.Region, appID)
	if err != nil || !ok {
		return nil, wrap("get app", err)
	}
	return &a, nil
}

func (t *tx) PutApp(p backend.Partition, a *backend.App) error {
	c := *a
	c.Created = c.Created.UTC()
	data, err := encode(&c)
	if err != nil {
		return fmt.Errorf("put app: %w", err)
	}
	return wrap("put app", t.exec(qPutApp, p.Account, p.Region, c.ID, data))
}

func (t *tx) DeleteApp(p backend.Partition, appID string) error {
	return wrap("delete app", t.exec(qDeleteApp, p.Account, p.Region, appID))
}

func (t *tx) Envs(p backend.Partition, appID string) ([]backend.Env, error) {
	envs, err := list[backend.Env](t, qEnvs, p.Account, p.Region, appID)
	return envs, wrap("list environments", err)
}

func (t *tx) Env(p backend.Partition, appID, env string) (*backend.Env, error) {
	var e backend.Env
	ok, err := t.get(&e, qEnv, p.Account, p.Region, appID, env)
	if err != nil || !ok {
		return nil, wrap("get environment", err)
	}
	return &e, nil
}

func (t *tx) PutEnv(p backend.Partition, e *backend.Env) error {
	c := *e
	c.Created = c.Created.UTC()
	data, err := encode(&c)
	if err != nil {
		return fmt.Errorf("put environment: %w", err)
	}
	return wrap("put environment", t.exec(qPutEnv, p.Account, p.Region, c.AppID, c.Name, c.Created, data))
}

func (t *tx) DeleteEnv(p backend.Partition, appID, env string) error {
	return wrap("delete environment", t.exec(qDeleteEnv, p.Account, p.Region, appID, env))
}

func (t *tx) Resources(p backend.Partition, appID, env string) ([]backend.Resource, error) {
	rs, err := list[backend.Resource](t, qResources, p.Account, p.Region, appID, env)
	for i := range rs {
		rs[i].Config = nullRaw(rs[i].Config)
	}
	return rs, wrap("list resources", err)
}

func (t *tx) Resource(p backend.Partition, appID, env string, kind backend.ResourceKind, name string) (*backend.Resource, error) {
	var r backend.Resource
	q, args := qResource, []any{p.Account, p.Region, appID, env, string(kind), name}
	if name == "" {
		q, args = qResourceOfKind, args[:5]
	}
	ok, err := t.get(&r, q, args...)
	if err != nil || !ok {
		return nil, wrap("get resource", err)
	}
	r.Config = nullRaw(r.Config)
	return &r, nil
}

func (t *tx) PutResource(p backend.Partition, r *backend.Resource) error {
	c := *r
	c.Created = c.Created.UTC()
	data, err := encode(&c)
	if err != nil {
		return fmt.Errorf("put resource: %w", err)
	}
	return wrap("put resource", t.exec(qPutResource, p.Account, p.Region, c.AppID, c.Env, string(c.Kind), c.Name, data))
}

func (t *tx) DeleteResource(p backend.Partition, appID, env string, kind backend.ResourceKind, name string) error {
	return wrap("delete resource", t.exec(qDeleteResource, p.Account, p.Region, appID, env, string(kind), name))
}

func (t *tx) Token(p backend.Partition, appID, sessionID string) (*backend.Token, error) {
	var tok backend.Token
	ok, err := t.get(&tok, qToken, p.Account, p.Region, appID, sessionID)
	if err != nil || !ok {
		return nil, wrap("get token", err)
	}
	return &tok, nil
}

func (t *tx) PutToken(p backend.Partition, tok *backend.Token) error {
	c := *tok
	c.Expires = c.Expires.UTC()
	data, err := encode(&c)
	if err != nil {
		return fmt.Errorf("put token: %w", err)
	}
	return wrap("put token", t.exec(qPutToken, p.Account, p.Region, c.AppID, c.SessionID, data))
}

func (t *tx) DeleteToken(p backend.Partition, appID, sessionID string) error {
	return wrap("delete token", t.exec(qDeleteToken, p.Account, p.Region, appID, sessionID))
}

// Buckets lists the partition's buckets and the shared ones by name; a
// partition's bucket hides a shared one of the same name.
func (t *tx) Buckets(p backend.Partition) ([]backend.Bucket, error) {
	bs, err := list[backend.Bucket](t, qBuckets, p.Account, p.Region)
	return bs, wrap("list buckets", err)
}

func (t *tx) PutBucket(p backend.Partition, b *backend.Bucket) error {
	data, err := encodeBucket(b)
	if err != nil {
		return fmt.Errorf("put bucket: %w", err)
	}
	return wrap("put bucket", t.exec(qPutBucket, p.Account, p.Region, b.Name, data))
}

// DeleteBucket removes the partition's bucket; shared buckets stay.
func (t *tx) DeleteBucket(p backend.Partition, name string) error {
	return wrap("delete bucket", t.exec(qDeleteBucket, p.Account, p.Region, name))
}

// EnsureSharedBucket records b unless a shared bucket of that name exists.
func (t *tx) EnsureSharedBucket(b *backend.Bucket) error {
	data, err := encodeBucket(b)
	if err != nil {
		return fmt.Errorf("ensure shared bucket: %w", err)
	}
	return wrap("ensure shared bucket", t.exec(qEnsureSharedBucket, b.Name, data))
}

func encodeBucket(b *backend.Bucket) (string, error) {
	c := *b
	c.Created = c.Created.UTC()
	return encode(&c)
}

// Statements; pgx prepares and caches each on every connection.
const (
	qApp    = `SELECT data FROM apps WHERE account = $1 AND region = $2 AND app_id = $3`
	qPutApp = `INSERT INTO apps (account, region, app_id, data) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account, region, app_id) DO UPDATE SET data = excluded.data`
	qDeleteApp = `DELETE FROM apps WHERE account = $1 AND region = $2 AND app_id = $3`
	qEnvs      = `SELECT data FROM envs WHERE account = $1 AND region = $2 AND app_id = $3
		ORDER BY created, name`
	qEnv    = `SELECT data FROM envs WHERE account = $1 AND region = $2 AND app_id = $3 AND name = $4`
	qPutEnv = `INSERT INTO envs (account, region, app_id, name, created, data) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (account, region, app_id, name) DO UPDATE SET created = excluded.created, data = excluded.data`
	// One statement removes the environment and its resources.
	qDeleteEnv = `WITH r AS (
			DELETE FROM resources WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4
		)
		DELETE FROM envs WHERE account = $1 AND region = $2 AND app_id = $3 AND name = $4`
	qResources = `SELECT data FROM resources WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4
		ORDER BY kind, name`
	qResource       = `SELECT data FROM resources WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4 AND kind = $5 AND name = $6`
	qResourceOfKind = `SELECT data FROM resources WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4 AND kind = $5
		ORDER BY name LIMIT 1`
	qPutResource = `INSERT INTO resources (account, region, app_id, env, kind, name, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (account, region, app_id, env, kind, name) DO UPDATE SET data = excluded.data`
	qDeleteResource = `DELETE FROM resources WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4 AND kind = $5 AND name = $6`
	qToken          = `SELECT data FROM tokens WHERE account = $1 AND region = $2 AND app_id = $3 AND session_id = $4`
	qPutToken       = `INSERT INTO tokens (account, region, app_id, session_id, data) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (account, region, app_id, session_id) DO UPDATE SET data = excluded.data`
	qDeleteToken = `DELETE FROM tokens WHERE account = $1 AND region = $2 AND app_id = $3 AND session_id = $4`

	qBuckets = `SELECT data FROM (
			SELECT name, data FROM buckets WHERE account = $1 AND region = $2
			UNION ALL
			SELECT s.name, s.data FROM shared_buckets s
			WHERE NOT EXISTS (SELECT 1 FROM buckets b WHERE b.account = $1 AND b.region = $2 AND b.name = s.name)
		) u ORDER BY name`
	qPutBucket = `INSERT INTO buckets (account, region, name, data) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account, region, name) DO UPDATE SET data = excluded.data`
	qDeleteBucket       = `DELETE FROM buckets WHERE account = $1 AND region = $2 AND name = $3`
	qEnsureSharedBucket = `INSERT INTO shared_buckets (name, data) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`
)
