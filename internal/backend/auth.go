package backend

import (
	"context"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
)

// CreateBackendAuth queues the creation of the environment's auth resource.
func (s *Service) CreateBackendAuth(ctx context.Context, p Partition, in *ab.CreateBackendAuthRequest) (*ab.CreateBackendAuthResponse, error) {
	app, env, name := *in.AppId, *in.BackendEnvironmentName, *in.ResourceName
	if err := checkNames("backendEnvironmentName", env, "resourceName", name); err != nil {
		return nil, err
	}
	cfg, err := recode[AuthConfig](in.ResourceConfig)
	if err != nil {
		return nil, err
	}
	return jobResponse[ab.CreateBackendAuthResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpCreateBackendAuth, req: &createAuthJob{ResourceName: name, Config: cfg},
		check: func(tx Tx) error { return checkNoResource(tx, p, app, env, KindAuth) },
	}))
}

// createAuthJob is the request of a CreateBackendAuth job.
type createAuthJob struct {
	ResourceName string      `json:"resourceName"`
	Config       *AuthConfig `json:"resourceConfig,omitzero"`
}

var _ = registerJob(ab.OpCreateBackendAuth, func(s *Service, a *applying, in *createAuthJob) error {
	return s.putNew(a, KindAuth, in.ResourceName, orEmpty(in.Config), nil)
})

// checkNoResource fails when the environment is missing or already has a
// resource of a kind that allows only one (auth, storage).
func checkNoResource(tx Tx, p Partition, app, env string, kind ResourceKind) error {
	if err := requireEnv(tx, p, app, env); err != nil {
		return err
	}
	r, err := findResource(tx, p, app, env, kind, "")
	if err != nil {
		return err
	}
	if r != nil {
		return badRequestf("Backend environment %s of app %s already has a resource of type %s: %s", env, app, resourceTypeNames[kind], r.Name)
	}
	return nil
}

// UpdateBackendAuth queues a change of the auth resource; members absent from
// the update keep their values.
func (s *Service) UpdateBackendAuth(ctx context.Context, p Partition, in *ab.UpdateBackendAuthRequest) (*ab.UpdateBackendAuthResponse, error) {
	app, env, name := *in.AppId, *in.BackendEnvironmentName, *in.ResourceName
	update, err := recode[AuthConfigUpdate](in.ResourceConfig)
	if err != nil {
		return nil, err
	}
	return jobResponse[ab.UpdateBackendAuthResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpUpdateBackendAuth, req: &updateAuthJob{ResourceName: name, Config: update},
		check: func(tx Tx) error { return checkUpdatable(tx, p, app, env, KindAuth, name) },
	}))
}

// updateAuthJob is the request of an UpdateBackendAuth job.
type updateAuthJob struct {
	ResourceName string            `json:"resourceName"`
	Config       *AuthConfigUpdate `json:"resourceConfig,omitzero"`
}

var _ = registerJob(ab.OpUpdateBackendAuth, func(s *Service, a *applying, in *updateAuthJob) error {
	return s.edit(a, KindAuth, in.ResourceName, mergeInto((*Resource).authConfig, in.Config))
})

// checkUpdatable requires a resource that amplifylite manages (not imported).
func checkUpdatable(tx Tx, p Partition, app, env string, kind ResourceKind, name string) error {
	r, err := requireResource(tx, p, app, env, kind, name)
	if err != nil {
		return err
	}
	if r.Imported {
		return badRequestf("%s resource %s is imported; Amplify does not manage it, so it cannot be updated", resourceTypeNames[kind], name)
	}
	return nil
}

// DeleteBackendAuth queues the removal of the auth resource.
func (s *Service) DeleteBackendAuth(ctx context.Context, p Partition, in *ab.DeleteBackendAuthRequest) (*ab.DeleteBackendAuthResponse, error) {
	app, env, name := *in.AppId, *in.BackendEnvironmentName, *in.ResourceName
	return jobResponse[ab.DeleteBackendAuthResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpDeleteBackendAuth, req: &resourceJob{ResourceName: name},
		check: func(tx Tx) error {
			_, err := requireResource(tx, p, app, env, KindAuth, name)
			return err
		},
	}))
}

var _ = registerJob(ab.OpDeleteBackendAuth, func(s *Service, a *applying, in *resourceJob) error {
	return s.remove(a, KindAuth, in.ResourceName)
})

// ImportBackendAuth queues the import of an existing Cognito user pool as the
// environment's auth resource, named after the pool.
func (s *Service) ImportBackendAuth(ctx context.Context, p Partition, in *ab.ImportBackendAuthRequest) (*ab.ImportBackendAuthResponse, error) {
	app, env := *in.AppId, *in.BackendEnvironmentName
	if err := checkNames("userPoolId", *in.UserPoolId, "webClientId", *in.WebClientId, "nativeClientId", *in.NativeClientId); err != nil {
		return nil, err
	}
	src, err := recode[AuthImport](in)
	if err != nil {
		return nil, err
	}
	return jobResponse[ab.ImportBackendAuthResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpImportBackendAuth, req: src,
		check: func(tx Tx) error { return checkNoResource(tx, p, app, env, KindAuth) },
	}))
}

// An ImportBackendAuth job's request is the AuthImport it records as the
// resource's source.
var _ = registerJob(ab.OpImportBackendAuth, func(s *Service, a *applying, in *AuthImport) error {
	return s.putNew(a, KindAuth, str(in.UserPoolId), importedAuthConfig(in), in)
})

// GetBackendAuth returns the auth resource's configuration in its Create shape.
func (s *Service) GetBackendAuth(ctx context.Context, p Partition, in *ab.GetBackendAuthRequest) (*ab.GetBackendAuthResponse, error) {
	r, err := s.resource(ctx, p, *in.AppId, *in.BackendEnvironmentName, KindAuth, *in.ResourceName)
	if err != nil {
		return nil, err
	}
	stored, err := r.authConfig()
	if err != nil {
		return nil, err
	}
	cfg, err := recode[ab.CreateBackendAuthResourceConfig](stored)
	if err != nil {
		return nil, err
	}
	if pp := cfg.UserPoolConfigs; pp != nil && pp.PasswordPolicy != nil && pp.PasswordPolicy.AdditionalConstraints == nil {
		// The Admin UI dereferences this list; show it empty rather than absent.
		pp.PasswordPolicy.AdditionalConstraints = []ab.AdditionalConstraintsElement{}
	}
	return &ab.GetBackendAuthResponse{AppId: in.AppId, BackendEnvironmentName: in.BackendEnvironmentName,
		ResourceName: ab.String(r.Name), ResourceConfig: cfg}, nil
}

// importedAuthConfig is what GetBackendAuth shows for an imported user pool.
func importedAuthConfig(in *AuthImport) *AuthConfig {
	cfg := &AuthConfig{
		AuthResources:   string(ab.AuthResourcesUserPoolOnly),
		Service:         string(ab.ServiceCognito),
		UserPoolConfigs: &AuthUserPoolConfig{UserPoolName: in.UserPoolId},
	}
	if str(in.IdentityPoolId) != "" {
		cfg.AuthResources = string(ab.AuthResourcesIdentityPoolAndUserPool)
	}
	return cfg
}

// orEmpty is *c, or a zero configuration when the request had none.
func orEmpty[C any](c *C) *C {
	if c == nil {
		return new(C)
	}
	return c
}
