package backend

import "context"

// requireApp returns the app or a NotFound error.
func requireApp(tx Tx, p Partition, appID string) (*App, error) {
	a, err := tx.App(p, appID)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, appNotFound(appID)
	}
	return a, nil
}

// requireAppExists checks that the app exists, without reading it.
func requireAppExists(tx Tx, p Partition, appID string) error {
	ok, err := tx.AppExists(p, appID)
	if err != nil {
		return err
	}
	if !ok {
		return appNotFound(appID)
	}
	return nil
}

// requireEnv checks that the app and its environment exist.
func requireEnv(tx Tx, p Partition, appID, env string) error {
	app, found, err := tx.EnvExists(p, appID, env)
	switch {
	case err != nil:
		return err
	case !app:
		return appNotFound(appID)
	case !found:
		return envNotFound(appID, env)
	}
	return nil
}

func findEnv(tx Tx, p Partition, appID, env string) (*Env, error) { return tx.Env(p, appID, env) }

// findResource returns the environment's resource of the kind, and name when
// name is not empty.
func findResource(tx Tx, p Partition, appID, env string, kind ResourceKind, name string) (*Resource, error) {
	return tx.Resource(p, appID, env, kind, name)
}

var resourceTypeNames = map[ResourceKind]string{KindAuth: TypeAuth, KindAPI: TypeAPI, KindStorage: TypeStorage}

// requireResource returns the named resource of an existing environment, or a
// NotFound error naming the first thing missing.
func requireResource(tx Tx, p Partition, appID, env string, kind ResourceKind, name string) (*Resource, error) {
	if err := requireEnv(tx, p, appID, env); err != nil {
		return nil, err
	}
	r, err := findResource(tx, p, appID, env, kind, name)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, notFoundf(resourceTypeNames[kind], "%s resource %s not found in backend environment %s of app %s", resourceTypeNames[kind], name, env, appID)
	}
	return r, nil
}

// resource reads one resource in its own read-only transaction.
func (s *Service) resource(ctx context.Context, p Partition, appID, env string, kind ResourceKind, name string) (r *Resource, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		r, err = requireResource(tx, p, appID, env, kind, name)
		return err
	})
	return r, err
}

func ownerOf(appID, env string) string { return appID + "\n" + env }
