package backend

import (
	"context"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
)

// CreateBackend queues the creation of an environment, and of its app when the
// app does not exist yet.
func (s *Service) CreateBackend(ctx context.Context, p Partition, in *ab.CreateBackendRequest) (*ab.CreateBackendResponse, error) {
	app, env := *in.AppId, *in.BackendEnvironmentName
	if err := checkNames("appId", app, "backendEnvironmentName", env, "appName", *in.AppName); err != nil {
		return nil, err
	}
	return jobResponse[ab.CreateBackendResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpCreateBackend, req: in,
		check: func(tx Tx) error {
			e, err := findEnv(tx, p, app, env)
			if err != nil {
				return err
			}
			if e != nil {
				return badRequestf("Backend environment %s already exists for app %s", env, app)
			}
			return nil
		},
	}))
}

// GetBackend describes an app and one of its environments.
func (s *Service) GetBackend(ctx context.Context, p Partition, in *ab.GetBackendRequest) (*ab.GetBackendResponse, error) {
	appID := *in.AppId
	key := readKey{p: p, app: appID, env: str(in.BackendEnvironmentName), envGiven: in.BackendEnvironmentName != nil}
	gen := s.gen.Load()
	if s.cache != nil {
		if out, ok := s.cache.get(gen, key); ok {
			return out, nil
		}
	}
	out := &ab.GetBackendResponse{AppId: in.AppId}
	err := s.store.View(ctx, func(tx Tx) error {
		app, err := requireApp(tx, p, appID)
		if err != nil {
			return err
		}
		out.AppName = ab.String(app.Name)
		envs, err := tx.Envs(p, appID)
		if err != nil {
			return err
		}
		out.BackendEnvironmentList = make([]string, len(envs))
		for i, e := range envs {
			out.BackendEnvironmentList[i] = e.Name
		}
		var chosen *Env
		for i := range envs {
			if in.BackendEnvironmentName == nil || envs[i].Name == *in.BackendEnvironmentName {
				chosen = &envs[i]
				break
			}
		}
		switch {
		case chosen == nil && in.BackendEnvironmentName != nil:
			return envNotFound(appID, *in.BackendEnvironmentName)
		case chosen == nil:
			return nil
		}
		resources, err := tx.Resources(p, appID, chosen.Name)
		if err != nil {
			return err
		}
		out.BackendEnvironmentName = ab.String(chosen.Name)
		out.AmplifyMetaConfig = ab.String(amplifyMeta(p, app, chosen.Name, resources))
		out.AmplifyFeatureFlags = ab.String(featureFlags)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.cache != nil {
		s.cache.put(gen, s.gen.Load(), key, out)
	}
	return out, nil
}

// CloneBackend queues a copy of an environment, with all of its resources,
// under a new name. The job is listed under both environments.
func (s *Service) CloneBackend(ctx context.Context, p Partition, in *ab.CloneBackendRequest) (*ab.CloneBackendResponse, error) {
	app, src, dst := *in.AppId, *in.BackendEnvironmentName, *in.TargetEnvironmentName
	if err := CheckName("targetEnvironmentName", dst); err != nil {
		return nil, err
	}
	if src == dst {
		return nil, badRequestf("targetEnvironmentName must differ from backendEnvironmentName %s", src)
	}
	return jobResponse[ab.CloneBackendResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{src, dst}, kind: ab.OpCloneBackend, req: in,
		check: func(tx Tx) error { return checkClone(tx, p, app, src, dst) },
	}))
}

func checkClone(tx Tx, p Partition, app, src, dst string) error {
	if err := requireEnv(tx, p, app, src); err != nil {
		return err
	}
	e, err := findEnv(tx, p, app, dst)
	if err != nil {
		return err
	}
	if e != nil {
		return badRequestf("Backend environment %s already exists for app %s", dst, app)
	}
	return nil
}

// DeleteBackend queues the removal of an environment and its resources.
func (s *Service) DeleteBackend(ctx context.Context, p Partition, in *ab.DeleteBackendRequest) (*ab.DeleteBackendResponse, error) {
	app, env := *in.AppId, *in.BackendEnvironmentName
	return jobResponse[ab.DeleteBackendResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpDeleteBackend, req: in,
		check: func(tx Tx) error { return requireEnv(tx, p, app, env) },
	}))
}

// RemoveAllBackends queues the removal of every environment of an app, and of
// the app itself with cleanAmplifyApp. The job is listed under each
// environment it removes (under "default" when the app has none).
func (s *Service) RemoveAllBackends(ctx context.Context, p Partition, in *ab.RemoveAllBackendsRequest) (*ab.RemoveAllBackendsResponse, error) {
	app := *in.AppId
	return jobResponse[ab.RemoveAllBackendsResponse](s.startJob(ctx, p, jobSpec{
		appID: app, kind: ab.OpRemoveAllBackends, req: in,
		envsFrom: func(tx Tx) ([]string, error) {
			if _, err := requireApp(tx, p, app); err != nil {
				return nil, err
			}
			envs, err := tx.Envs(p, app)
			names := make([]string, len(envs))
			for i, e := range envs {
				names[i] = e.Name
			}
			if len(names) == 0 {
				names = []string{defaultEnv}
			}
			return names, err
		},
	}))
}

// defaultEnv files jobs of an app without environments.
const defaultEnv = "default"
