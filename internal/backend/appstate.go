package backend

import (
	"context"
	"slices"
)

// AppState is the Admin UI's public, unauthenticated view of apps, which
// the Amplify CLI asks to learn whether an app has Amplify Studio (Admin UI)
// and where. Its requests carry no credentials, so apps are looked up in
// the partition of unsigned requests first, then in every partition.

// AdminApp is an app with an Admin UI config, as AppState tells of it.
type AdminApp struct {
	AppID  string
	Region string
	// LoginAuthConfig is the Admin UI login configuration as JSON; "" when
	// the config has none.
	LoginAuthConfig string
}

// AdminApp returns the app with an Admin UI config whose id is appID; nil
// when there is none.
func (s *Service) AdminApp(ctx context.Context, first Partition, appID string) (*AdminApp, error) {
	var out *AdminApp
	err := s.store.View(ctx, func(tx Tx) error {
		return eachPartition(tx, first, func(p Partition) (bool, error) {
			app, err := tx.App(p, appID)
			if err != nil || app == nil || app.Config == nil {
				return false, err
			}
			out = &AdminApp{AppID: app.ID, Region: p.Region, LoginAuthConfig: string(app.Config.LoginAuthConfig)}
			return true, nil
		})
	})
	return out, err
}

// Sandbox is what `amplify pull --sandboxId` is told of an id: the app it
// was deployed as, or the GraphQL schema of its data model; Found is false
// when no app has the id.
type Sandbox struct {
	Found  bool
	AppID  string // deployed: the app
	Schema string // not deployed: the data model's schema ("" when it has none)
}

// Sandbox looks id up. An Admin UI (backend manager) app id, or the id of
// an app with an Admin UI config, is deployed as that app; any other app is
// a sandbox whose data model is its first API's transform schema (oldest
// environment first).
func (s *Service) Sandbox(ctx context.Context, first Partition, id string) (*Sandbox, error) {
	out := &Sandbox{}
	err := s.store.View(ctx, func(tx Tx) error {
		err := eachPartition(tx, first, func(p Partition) (bool, error) {
			app, err := tx.App(p, id)
			if err != nil || app == nil {
				return false, err
			}
			out.Found = true
			if app.Config != nil {
				out.AppID = app.ID
				return true, nil
			}
			out.Schema, err = firstSchema(tx, p, app.ID)
			return true, err
		})
		if err != nil || out.Found {
			return err
		}
		return eachPartition(tx, first, func(p Partition) (bool, error) {
			ids, err := tx.AppIDs(p)
			if err != nil {
				return false, err
			}
			for _, appID := range ids {
				app, err := tx.App(p, appID)
				if err != nil {
					return false, err
				}
				if app != nil && app.Config != nil && app.Config.BackendManagerAppID == id {
					out.Found, out.AppID = true, app.ID
					return true, nil
				}
			}
			return false, nil
		})
	})
	return out, err
}

// firstSchema is the transform schema of the app's first API.
func firstSchema(tx Tx, p Partition, appID string) (string, error) {
	envs, err := tx.Envs(p, appID)
	if err != nil {
		return "", err
	}
	for _, e := range envs {
		r, err := tx.Resource(p, appID, e.Name, KindAPI, "")
		if err != nil || r == nil {
			if err != nil {
				return "", err
			}
			continue
		}
		cfg, err := r.apiConfig()
		if err != nil {
			return "", err
		}
		return str(cfg.TransformSchema), nil
	}
	return "", nil
}

// eachPartition calls fn on first, then on every other partition, until fn
// returns true.
func eachPartition(tx Tx, first Partition, fn func(Partition) (bool, error)) error {
	if done, err := fn(first); done || err != nil {
		return err
	}
	parts, err := tx.Partitions()
	if err != nil {
		return err
	}
	for _, p := range slices.DeleteFunc(parts, func(p Partition) bool { return p == first }) {
		if done, err := fn(p); done || err != nil {
			return err
		}
	}
	return nil
}
