package sqlite

import (
	"encoding/json"
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
	data, err := json.Marshal(&c)
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
	data, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("put environment: %w", err)
	}
	return wrap("put environment", t.exec(qPutEnv, p.Account, p.Region, c.AppID, c.Name, nanos(c.Created), data))
}

func (t *tx) DeleteEnv(p backend.Partition, appID, env string) error {
	err := t.exec(qDeleteEnvResources, p.Account, p.Region, appID, env)
	if err == nil {
		err = t.exec(qDeleteEnv, p.Account, p.Region, appID, env)
	}
	return wrap("delete environment", err)
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
	data, err := json.Marshal(&c)
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
	data, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("put token: %w", err)
	}
	return wrap("put token", t.exec(qPutToken, p.Account, p.Region, c.AppID, c.SessionID, data))
}

func (t *tx) DeleteToken(p backend.Partition, appID, sessionID string) error {
	return wrap("delete token", t.exec(qDeleteToken, p.Account, p.Region, appID, sessionID))
}

// wrap prefixes a non-nil err with op.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}

// Statements.
var (
	qApp    = query(`SELECT data FROM apps WHERE account = ? AND region = ? AND app_id = ?`)
	qPutApp = query(`INSERT INTO apps (account, region, app_id, data) VALUES (?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET data = excluded.data`)
	qDeleteApp = query(`DELETE FROM apps WHERE account = ? AND region = ? AND app_id = ?`)
	qEnvs      = query(`SELECT data FROM envs WHERE account = ? AND region = ? AND app_id = ?
		ORDER BY created, name`)
	qEnv    = query(`SELECT data FROM envs WHERE account = ? AND region = ? AND app_id = ? AND name = ?`)
	qPutEnv = query(`INSERT INTO envs (account, region, app_id, name, created, data) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET created = excluded.created, data = excluded.data`)
	qDeleteEnvResources = query(`DELETE FROM resources WHERE account = ? AND region = ? AND app_id = ? AND env = ?`)
	qDeleteEnv          = query(`DELETE FROM envs WHERE account = ? AND region = ? AND app_id = ? AND name = ?`)
	qResources          = query(`SELECT data FROM resources WHERE account = ? AND region = ? AND app_id = ? AND env = ?
		ORDER BY kind, name`)
	qResource       = query(`SELECT data FROM resources WHERE account = ? AND region = ? AND app_id = ? AND env = ? AND kind = ? AND name = ?`)
	qResourceOfKind = query(`SELECT data FROM resources WHERE account = ? AND region = ? AND app_id = ? AND env = ? AND kind = ?
		ORDER BY name LIMIT 1`)
	qPutResource = query(`INSERT INTO resources (account, region, app_id, env, kind, name, data) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET data = excluded.data`)
	qDeleteResource = query(`DELETE FROM resources WHERE account = ? AND region = ? AND app_id = ? AND env = ? AND kind = ? AND name = ?`)
	qToken          = query(`SELECT data FROM tokens WHERE account = ? AND region = ? AND app_id = ? AND session_id = ?`)
	qPutToken       = query(`INSERT INTO tokens (account, region, app_id, session_id, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET data = excluded.data`)
	qDeleteToken = query(`DELETE FROM tokens WHERE account = ? AND region = ? AND app_id = ? AND session_id = ?`)
)
