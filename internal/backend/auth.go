package backend

import (
	"context"
	"encoding/json"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
)

// CreateBackendAuth queues the creation of the environment's auth resource.
func (s *Service) CreateBackendAuth(ctx context.Context, p Partition, in *ab.CreateBackendAuthRequest) (*ab.CreateBackendAuthResponse, error) {
	app, env, name := *in.AppId, *in.BackendEnvironmentName, *in.ResourceName
	if err := checkNames("backendEnvironmentName", env, "resourceName", name); err != nil {
		return nil, err
	}
	return jobResponse[ab.CreateBackendAuthResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpCreateBackendAuth, req: in,
		check: func(tx Tx) error { return checkNoResource(tx, p, app, env, KindAuth) },
	}))
}

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
		return badRequestf("Backend environment %s of app %s already has a resource of type %s: %s", env, app, kindTypes[kind], r.Name)
	}
	return nil
}

// UpdateBackendAuth queues a change of the auth resource; members absent from
// the update keep their values.
func (s *Service) UpdateBackendAuth(ctx context.Context, p Partition, in *ab.UpdateBackendAuthRequest) (*ab.UpdateBackendAuthResponse, error) {
	app, env, name := *in.AppId, *in.BackendEnvironmentName, *in.ResourceName
	return jobResponse[ab.UpdateBackendAuthResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpUpdateBackendAuth, req: in,
		check: func(tx Tx) error { return checkUpdatable(tx, p, app, env, KindAuth, name) },
	}))
}

// checkUpdatable requires a resource that amplifylite manages (not imported).
func checkUpdatable(tx Tx, p Partition, app, env string, kind ResourceKind, name string) error {
	r, err := requireResource(tx, p, app, env, kind, name)
	if err != nil {
		return err
	}
	if r.Imported {
		return badRequestf("%s resource %s is imported; Amplify does not manage it, so it cannot be updated", kindTypes[kind], name)
	}
	return nil
}

// DeleteBackendAuth queues the removal of the auth resource.
func (s *Service) DeleteBackendAuth(ctx context.Context, p Partition, in *ab.DeleteBackendAuthRequest) (*ab.DeleteBackendAuthResponse, error) {
	app, env, name := *in.AppId, *in.BackendEnvironmentName, *in.ResourceName
	return jobResponse[ab.DeleteBackendAuthResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpDeleteBackendAuth, req: in,
		check: func(tx Tx) error {
			_, err := requireResource(tx, p, app, env, KindAuth, name)
			return err
		},
	}))
}

// ImportBackendAuth queues the import of an existing Cognito user pool as the
// environment's auth resource, named after the pool.
func (s *Service) ImportBackendAuth(ctx context.Context, p Partition, in *ab.ImportBackendAuthRequest) (*ab.ImportBackendAuthResponse, error) {
	app, env := *in.AppId, *in.BackendEnvironmentName
	if err := checkNames("userPoolId", *in.UserPoolId, "webClientId", *in.WebClientId, "nativeClientId", *in.NativeClientId); err != nil {
		return nil, err
	}
	return jobResponse[ab.ImportBackendAuthResponse](s.startJob(ctx, p, jobSpec{
		appID: app, envs: []string{env}, kind: ab.OpImportBackendAuth, req: in,
		check: func(tx Tx) error { return checkNoResource(tx, p, app, env, KindAuth) },
	}))
}

// GetBackendAuth returns the auth resource's configuration in its Create shape.
func (s *Service) GetBackendAuth(ctx context.Context, p Partition, in *ab.GetBackendAuthRequest) (*ab.GetBackendAuthResponse, error) {
	r, err := s.resource(ctx, p, *in.AppId, *in.BackendEnvironmentName, KindAuth, *in.ResourceName)
	if err != nil {
		return nil, err
	}
	var cfg ab.CreateBackendAuthResourceConfig
	if err := json.Unmarshal(r.Config, &cfg); err != nil {
		return nil, err
	}
	if pp := cfg.UserPoolConfigs; pp != nil && pp.PasswordPolicy != nil && pp.PasswordPolicy.AdditionalConstraints == nil {
		// The Admin UI dereferences this list; show it empty rather than absent.
		pp.PasswordPolicy.AdditionalConstraints = []ab.AdditionalConstraintsElement{}
	}
	return &ab.GetBackendAuthResponse{AppId: in.AppId, BackendEnvironmentName: in.BackendEnvironmentName,
		ResourceName: ab.String(r.Name), ResourceConfig: &cfg}, nil
}

// importedAuthConfig is what GetBackendAuth shows for an imported user pool.
func importedAuthConfig(in *ab.ImportBackendAuthRequest) *ab.CreateBackendAuthResourceConfig {
	cfg := &ab.CreateBackendAuthResourceConfig{
		AuthResources:   ab.AuthResourcesUserPoolOnly,
		Service:         ab.ServiceCognito,
		UserPoolConfigs: &ab.CreateBackendAuthUserPoolConfig{UserPoolName: in.UserPoolId},
	}
	if str(in.IdentityPoolId) != "" {
		cfg.AuthResources = ab.AuthResourcesIdentityPoolAndUserPool
	}
	return cfg
}
