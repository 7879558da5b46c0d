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
		appID: app, envs: []string{env}, kind: ab.OpCreateBackend, req: &createBackendJob{AppName: *in.AppName},
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

// createBackendJob is the request of a CreateBackend job.
type createBackendJob struct {
	AppName string `json:"appName"`
}

var _ = registerJob(ab.OpCreateBackend, (*Service).applyCreateBackend)

func (s *Service) applyCreateBackend(a *applying, in *createBackendJob) error {
	tx, p, appID := a.tx, a.p, a.job.AppID
	app, err := tx.App(p, appID)
	if err != nil {
		return err
	}
	envs, err := tx.Envs(p, appID)
	if err != nil {
		return err
	}
	for _, e := range envs {
		if e.Name == a.env {
			return failJob("Backend environment %s already exists for app %s", a.env, appID)
		}
	}
	switch {
	case app == nil:
		app = &App{ID: appID, Name: in.AppName, Created: s.now()}
	case len(envs) == 0:
		app.Name = in.AppName
	}
	if err := tx.PutApp(p, app); err != nil {
		return err
	}
	return tx.PutEnv(p, &Env{AppID: appID, Name: a.env, Created: s.now()})
}

// GetBackend describes an app and one of its environments. Answers from the
// read cache are shared by every caller until the next write: the caller must
// not modify the answer.
func (s *Service) GetBackend(ctx context.Context, p Partition, in *ab.GetBackendRequest) (*ab.GetBackendResponse, error) {
	appID := *in.AppId
	key := readKey{op: ab.OpGetBackend, p: p, app: appID, env: str(in.BackendEnvironmentName), envGiven: in.BackendEnvironmentName != nil}
	return cachedRead(s, key, func() (*ab.GetBackendResponse, error) { return s.getBackend(ctx, p, in) })
}

func (s *Service) getBackend(ctx context.Context, p Partition, in *ab.GetBackendRequest) (*ab.GetBackendResponse, error) {
	appID := *in.AppId
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
		meta, err := amplifyMeta(p, app, chosen, resources)
		if err != nil {
			return err
		}
		out.AmplifyMetaConfig = ab.String(meta)
		out.AmplifyFeatureFlags = ab.String(featureFlags)
		return nil
	})
	if err != nil {
		return nil, err
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
		appID: app, envs: []string{src, dst}, kind: ab.OpCloneBackend, req: &cloneJob{TargetEnvironmentName: dst},
		check: func(tx Tx) error { return checkClone(tx, p, app, src, dst) },
	}))
}

// cloneJob is the request of a CloneBackend job (listed under the source
// first).
type cloneJob struct {
	TargetEnvironmentName string `json:"targetEnvironmentName"`
}

var _ = registerJob(ab.OpCloneBackend, (*Service).applyClone)

func (s *Service) applyClone(a *applying, in *cloneJob) error {
	tx, p, app, src, dst := a.tx, a.p, a.job.AppID, a.env, in.TargetEnvironmentName
	if err := checkClone(tx, p, app, src, dst); err != nil {
		return failJob("%s", err.Error())
	}
	if err := tx.PutEnv(p, &Env{AppID: app, Name: dst, Created: s.now()}); err != nil {
		return err
	}
	resources, err := tx.Resources(p, app, src)
	if err != nil {
		return err
	}
	for _, r := range resources {
		r.Env, r.Created = dst, s.now()
		r.setGenerated(nil, "")
		if r.Kind == KindStorage && !r.Imported {
			// Bucket names are global: the copy gets a bucket of its own.
			cfg, err := r.storageConfig()
			if err != nil {
				return err
			}
			if err := s.createOwnedBucket(tx, p, app, dst, r.Name, cfg, false); err != nil {
				return err
			}
			if err := r.setConfig(cfg); err != nil {
				return err
			}
		}
		if err := tx.PutResource(p, &r); err != nil {
			return err
		}
	}
	return nil
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
		appID: app, envs: []string{env}, kind: ab.OpDeleteBackend, req: &deleteBackendJob{},
		check: func(tx Tx) error { return requireEnv(tx, p, app, env) },
	}))
}

// deleteBackendJob is the request of a DeleteBackend job: the environment it
// is listed under says everything.
type deleteBackendJob struct{}

var _ = registerJob(ab.OpDeleteBackend, func(s *Service, a *applying, _ *deleteBackendJob) error {
	if err := requireEnvForJob(a.tx, a.p, a.job.AppID, a.env); err != nil {
		return err
	}
	return deleteEnv(a.tx, a.p, a.job.AppID, a.env)
})

// RemoveAllBackends queues the removal of every environment of an app, and of
// the app itself with cleanAmplifyApp. The job is listed under each
// environment it removes (under "default" when the app has none).
func (s *Service) RemoveAllBackends(ctx context.Context, p Partition, in *ab.RemoveAllBackendsRequest) (*ab.RemoveAllBackendsResponse, error) {
	app := *in.AppId
	return jobResponse[ab.RemoveAllBackendsResponse](s.startJob(ctx, p, jobSpec{
		appID: app, kind: ab.OpRemoveAllBackends, req: &removeAllJob{CleanAmplifyApp: in.CleanAmplifyApp != nil && *in.CleanAmplifyApp},
		envsFrom: func(tx Tx) ([]string, error) {
			if err := requireAppExists(tx, p, app); err != nil {
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

// removeAllJob is the request of a RemoveAllBackends job.
type removeAllJob struct {
	CleanAmplifyApp bool `json:"cleanAmplifyApp"`
}

var _ = registerJob(ab.OpRemoveAllBackends, func(s *Service, a *applying, in *removeAllJob) error {
	tx, p, app := a.tx, a.p, a.job.AppID
	if found, err := tx.App(p, app); err != nil || found == nil {
		if err == nil {
			err = failJob("App %s not found", app)
		}
		return err
	}
	envs, err := tx.Envs(p, app)
	if err != nil {
		return err
	}
	for _, e := range envs {
		if err := deleteEnv(tx, p, app, e.Name); err != nil {
			return err
		}
	}
	if in.CleanAmplifyApp {
		return tx.DeleteApp(p, app)
	}
	return nil
})

// defaultEnv files jobs of an app without environments.
const defaultEnv = "default"
