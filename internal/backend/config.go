package backend

import (
	"context"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
)

// CreateBackendConfig queues the provisioning of the Admin UI login resources
// of an app. The job is filed under the app's oldest environment, or
// "default" when it has none; its response names that environment.
func (s *Service) CreateBackendConfig(ctx context.Context, p Partition, in *ab.CreateBackendConfigRequest) (*ab.CreateBackendConfigResponse, error) {
	app := *in.AppId
	if in.BackendManagerAppId != nil {
		if err := CheckName("backendManagerAppId", *in.BackendManagerAppId); err != nil {
			return nil, err
		}
	}
	return jobResponse[ab.CreateBackendConfigResponse](s.startJob(ctx, p, jobSpec{
		appID: app, kind: ab.OpCreateBackendConfig, req: &createConfigJob{BackendManagerAppID: in.BackendManagerAppId},
		envsFrom: func(tx Tx) ([]string, error) {
			if err := requireAppExists(tx, p, app); err != nil {
				return nil, err
			}
			envs, err := tx.Envs(p, app)
			if len(envs) > 0 {
				return []string{envs[0].Name}, err
			}
			return []string{defaultEnv}, err
		},
	}))
}

// createConfigJob is the request of a CreateBackendConfig job.
type createConfigJob struct {
	BackendManagerAppID *string `json:"backendManagerAppId,omitempty"`
}

// Completing it provisions the login configuration, unless
// UpdateBackendConfig stored one meanwhile.
var _ = registerJob(ab.OpCreateBackendConfig, func(s *Service, a *applying, in *createConfigJob) error {
	app, err := a.tx.App(a.p, a.job.AppID)
	if err != nil {
		return err
	}
	if app == nil {
		return failJob("App %s not found", a.job.AppID)
	}
	manager := str(in.BackendManagerAppID)
	if manager == "" {
		manager = app.ID
	}
	cfg := &AppConfig{BackendManagerAppID: manager}
	if app.Config != nil && len(app.Config.LoginAuthConfig) > 0 {
		cfg.LoginAuthConfig = app.Config.LoginAuthConfig // keep what UpdateBackendConfig stored
	} else if err := cfg.setLoginAuthConfig(adminLoginConfig(a.p, app.ID)); err != nil {
		return err
	}
	app.Config = cfg
	return a.tx.PutApp(a.p, app)
})

// UpdateBackendConfig stores the Admin UI login configuration of an app,
// creating the config when the app has none.
func (s *Service) UpdateBackendConfig(ctx context.Context, p Partition, in *ab.UpdateBackendConfigRequest) (*ab.UpdateBackendConfigResponse, error) {
	app := *in.AppId
	var cfg AppConfig
	err := s.update(ctx, func(tx Tx) error {
		a, err := requireApp(tx, p, app)
		if err != nil {
			return err
		}
		if a.Config == nil {
			a.Config = &AppConfig{BackendManagerAppID: app}
		}
		if in.LoginAuthConfig != nil {
			login, err := recode[LoginAuthConfig](in.LoginAuthConfig)
			if err != nil {
				return err
			}
			if err := a.Config.setLoginAuthConfig(login); err != nil {
				return err
			}
		}
		cfg = *a.Config
		return tx.PutApp(p, a)
	})
	if err != nil {
		return nil, err
	}
	return configResponse(app, cfg)
}

func configResponse(app string, cfg AppConfig) (*ab.UpdateBackendConfigResponse, error) {
	out := &ab.UpdateBackendConfigResponse{AppId: ab.String(app), BackendManagerAppId: ab.String(cfg.BackendManagerAppID)}
	login, err := cfg.loginAuthConfig()
	if err != nil || login == nil {
		return out, err
	}
	if out.LoginAuthConfig, err = recode[ab.LoginAuthConfigReqObj](login); err != nil {
		return nil, err
	}
	return out, nil
}

// RemoveBackendConfig removes an app's Admin UI config.
func (s *Service) RemoveBackendConfig(ctx context.Context, p Partition, in *ab.RemoveBackendConfigRequest) (*ab.RemoveBackendConfigResponse, error) {
	app := *in.AppId
	err := s.update(ctx, func(tx Tx) error {
		a, err := requireApp(tx, p, app)
		if err != nil {
			return err
		}
		if a.Config == nil {
			return notFoundf(TypeBackendConfig, "App %s has no backend config", app)
		}
		a.Config = nil
		return tx.PutApp(p, a)
	})
	if err != nil {
		return nil, err
	}
	return &ab.RemoveBackendConfigResponse{}, nil
}
