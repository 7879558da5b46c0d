package backend

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"

	ah "github.com/amplifylite/amplifylite/amplifyhosting"
)

// Amplify Hosting's apps and backend environments are the Admin API's: an
// app CreateBackend makes is listed by ListApps, an environment
// CreateBackendEnvironment makes is one GetBackend describes. Hosting's
// operations are synchronous.

// CreateApp creates an app with a new id (d + 13 characters, as Amplify's).
func (s *Service) CreateApp(ctx context.Context, p Partition, in *ah.CreateAppRequest) (*ah.CreateAppResult, error) {
	if err := CheckName("name", *in.Name); err != nil {
		return nil, err
	}
	app := &App{Name: *in.Name, Created: s.now(), Hosting: &HostingApp{
		Description: str(in.Description), Repository: str(in.Repository), Platform: string(in.Platform),
		IAMServiceRoleArn: str(in.IamServiceRoleArn), ComputeRoleArn: str(in.ComputeRoleArn),
		EnvironmentVariables: in.EnvironmentVariables, Tags: in.Tags, BuildSpec: str(in.BuildSpec),
		EnableBranchAutoBuild: boolOf(in.EnableBranchAutoBuild), EnableBranchAutoDeletion: boolOf(in.EnableBranchAutoDeletion),
		EnableBasicAuth: boolOf(in.EnableBasicAuth),
	}}
	err := s.update(ctx, func(tx Tx) error {
		for {
			app.ID = newAppID()
			existing, err := tx.App(p, app.ID)
			if err != nil {
				return err
			}
			if existing == nil {
				return tx.PutApp(p, app)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return &ah.CreateAppResult{App: hostingApp(p, app)}, nil
}

// newAppID returns a random id of Amplify's form.
func newAppID() string {
	const set = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 13)
	rand.Read(b)
	for i := range b {
		b[i] = set[int(b[i])%len(set)]
	}
	return "d" + string(b)
}

func boolOf(b *bool) bool { return b != nil && *b }

// GetApp describes an app.
func (s *Service) GetApp(ctx context.Context, p Partition, in *ah.GetAppRequest) (*ah.GetAppResult, error) {
	var out *ah.App
	err := s.store.View(ctx, func(tx Tx) error {
		app, err := requireApp(tx, p, *in.AppId)
		if err == nil {
			out = hostingApp(p, app)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &ah.GetAppResult{App: out}, nil
}

// ListApps lists the partition's apps by id, a page at a time.
func (s *Service) ListApps(ctx context.Context, p Partition, in *ah.ListAppsRequest) (*ah.ListAppsResult, error) {
	limit := pageSize(in.MaxResults, 100)
	after, err := s.openCursor(in.NextToken, "ListApps", p.Account, p.Region)
	if err != nil {
		return nil, err
	}
	out := &ah.ListAppsResult{Apps: []ah.App{}}
	err = s.store.View(ctx, func(tx Tx) error {
		ids, err := tx.AppIDs(p)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if id <= after {
				continue
			}
			app, err := tx.App(p, id)
			if err != nil {
				return err
			}
			if app == nil { // records of a removed app (its jobs) remain
				continue
			}
			if len(out.Apps) == limit {
				out.NextToken = ah.String(s.sealCursor(out.Apps[limit-1].AppId, "ListApps", p.Account, p.Region))
				return nil
			}
			out.Apps = append(out.Apps, *hostingApp(p, app))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteApp removes an app with its environments, their resources and the
// buckets they made, and returns what it was.
func (s *Service) DeleteApp(ctx context.Context, p Partition, in *ah.DeleteAppRequest) (*ah.DeleteAppResult, error) {
	var out *ah.App
	err := s.update(ctx, func(tx Tx) error {
		app, err := requireApp(tx, p, *in.AppId)
		if err != nil {
			return err
		}
		out = hostingApp(p, app)
		envs, err := tx.Envs(p, app.ID)
		if err != nil {
			return err
		}
		for _, e := range envs {
			if err := deleteEnv(tx, p, app.ID, e.Name); err != nil {
				return err
			}
		}
		return tx.DeleteApp(p, app.ID)
	})
	if err != nil {
		return nil, err
	}
	return &ah.DeleteAppResult{App: out}, nil
}

// CreateBackendEnvironment adds an environment to an app, with the stack
// name and deployment bucket given (else derived, as CreateBackend's).
func (s *Service) CreateBackendEnvironment(ctx context.Context, p Partition, in *ah.CreateBackendEnvironmentRequest) (*ah.CreateBackendEnvironmentResult, error) {
	appID, name := *in.AppId, *in.EnvironmentName
	if err := CheckName("environmentName", name); err != nil {
		return nil, err
	}
	if b := str(in.DeploymentArtifacts); b != "" {
		if err := checkBucketName("deploymentArtifacts", b); err != nil {
			return nil, err
		}
	}
	if in.StackName != nil {
		if err := CheckName("stackName", *in.StackName); err != nil {
			return nil, err
		}
	}
	var out *ah.BackendEnvironment
	err := s.update(ctx, func(tx Tx) error {
		app, err := requireApp(tx, p, appID)
		if err != nil {
			return err
		}
		e, err := findEnv(tx, p, appID, name)
		if err != nil {
			return err
		}
		if e != nil {
			return badRequestf("Backend environment %s already exists for app %s", name, appID)
		}
		e = &Env{AppID: appID, Name: name, Created: s.now(), StackName: str(in.StackName), DeploymentBucket: str(in.DeploymentArtifacts)}
		out = hostingEnv(p, app, e)
		return tx.PutEnv(p, e)
	})
	if err != nil {
		return nil, err
	}
	return &ah.CreateBackendEnvironmentResult{BackendEnvironment: out}, nil
}

// GetBackendEnvironment describes one environment of an app.
func (s *Service) GetBackendEnvironment(ctx context.Context, p Partition, in *ah.GetBackendEnvironmentRequest) (*ah.GetBackendEnvironmentResult, error) {
	var out *ah.BackendEnvironment
	err := s.store.View(ctx, func(tx Tx) (err error) {
		out, err = getHostingEnv(tx, p, *in.AppId, *in.EnvironmentName)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &ah.GetBackendEnvironmentResult{BackendEnvironment: out}, nil
}

func getHostingEnv(tx Tx, p Partition, appID, name string) (*ah.BackendEnvironment, error) {
	app, err := requireApp(tx, p, appID)
	if err != nil {
		return nil, err
	}
	e, err := findEnv(tx, p, appID, name)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, envNotFound(appID, name)
	}
	return hostingEnv(p, app, e), nil
}

// ListBackendEnvironments lists an app's environments, oldest first, or the
// one named by environmentName.
func (s *Service) ListBackendEnvironments(ctx context.Context, p Partition, in *ah.ListBackendEnvironmentsRequest) (*ah.ListBackendEnvironmentsResult, error) {
	appID := *in.AppId
	limit := pageSize(in.MaxResults, 50)
	after, err := s.openCursor(in.NextToken, "ListBackendEnvironments", p.Account, p.Region, appID, str(in.EnvironmentName))
	if err != nil {
		return nil, err
	}
	out := &ah.ListBackendEnvironmentsResult{BackendEnvironments: []ah.BackendEnvironment{}}
	err = s.store.View(ctx, func(tx Tx) error {
		app, err := requireApp(tx, p, appID)
		if err != nil {
			return err
		}
		envs, err := tx.Envs(p, appID)
		if err != nil {
			return err
		}
		start := 0
		if after != "" {
			start = slices.IndexFunc(envs, func(e Env) bool { return e.Name == after }) + 1
		}
		for i := start; i < len(envs); i++ {
			e := &envs[i]
			if in.EnvironmentName != nil && e.Name != *in.EnvironmentName {
				continue
			}
			if len(out.BackendEnvironments) == limit {
				out.NextToken = ah.String(s.sealCursor(out.BackendEnvironments[limit-1].EnvironmentName, "ListBackendEnvironments", p.Account, p.Region, appID, str(in.EnvironmentName)))
				return nil
			}
			out.BackendEnvironments = append(out.BackendEnvironments, *hostingEnv(p, app, e))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteBackendEnvironment removes an environment with its resources and
// returns what it was.
func (s *Service) DeleteBackendEnvironment(ctx context.Context, p Partition, in *ah.DeleteBackendEnvironmentRequest) (*ah.DeleteBackendEnvironmentResult, error) {
	var out *ah.BackendEnvironment
	err := s.update(ctx, func(tx Tx) (err error) {
		if out, err = getHostingEnv(tx, p, *in.AppId, *in.EnvironmentName); err != nil {
			return err
		}
		return deleteEnv(tx, p, *in.AppId, *in.EnvironmentName)
	})
	if err != nil {
		return nil, err
	}
	return &ah.DeleteBackendEnvironmentResult{BackendEnvironment: out}, nil
}

// hostingApp is an app as Amplify Hosting shows it.
func hostingApp(p Partition, app *App) *ah.App {
	h := app.Hosting
	if h == nil {
		h = &HostingApp{}
	}
	platform := ah.Platform(h.Platform)
	if platform == "" {
		platform = ah.PlatformWeb
	}
	vars := h.EnvironmentVariables
	if vars == nil {
		vars = map[string]string{}
	}
	out := &ah.App{
		AppId: ah.String(app.ID), AppArn: ah.String(appArn(p, app.ID)), Name: ah.String(app.Name),
		Description: ah.String(h.Description), Repository: ah.String(h.Repository), Platform: platform,
		CreateTime: ah.Time(app.Created), UpdateTime: ah.Time(app.Created),
		EnvironmentVariables: vars, DefaultDomain: ah.String(app.ID + ".amplifyapp.com"),
		EnableBranchAutoBuild: ah.Bool(h.EnableBranchAutoBuild), EnableBranchAutoDeletion: ah.Bool(h.EnableBranchAutoDeletion),
		EnableBasicAuth: ah.Bool(h.EnableBasicAuth), Tags: h.Tags,
	}
	if h.IAMServiceRoleArn != "" {
		out.IamServiceRoleArn = ah.String(h.IAMServiceRoleArn)
	}
	if h.ComputeRoleArn != "" {
		out.ComputeRoleArn = ah.String(h.ComputeRoleArn)
	}
	if h.BuildSpec != "" {
		out.BuildSpec = ah.String(h.BuildSpec)
	}
	return out
}

func appArn(p Partition, appID string) string {
	return "arn:aws:amplify:" + p.Region + ":" + p.Account + ":apps/" + appID
}

// hostingEnv is an environment as Amplify Hosting shows it.
func hostingEnv(p Partition, app *App, e *Env) *ah.BackendEnvironment {
	stack, bucket := stackOf(p, app, e)
	updated := e.Created
	if e.Pushed.After(updated) {
		updated = e.Pushed
	}
	return &ah.BackendEnvironment{
		BackendEnvironmentArn: ah.String(appArn(p, app.ID) + "/backendenvironments/" + e.Name),
		EnvironmentName:       ah.String(e.Name), StackName: ah.String(stack), DeploymentArtifacts: ah.String(bucket),
		CreateTime: ah.Time(e.Created), UpdateTime: ah.Time(updated),
	}
}

// pageSize is a request's maxResults, or def when absent or not positive.
func pageSize(max *int32, def int) int {
	if max == nil || *max <= 0 {
		return def
	}
	return int(*max)
}

// sealCursor makes a page token of a listing's last key, bound by a MAC to
// the listing (scope) so that a forged or foreign token is refused.
func (s *Service) sealCursor(last *string, scope ...string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(*last)) + "." + enc.EncodeToString(s.cursorMAC(*last, scope))
}

// openCursor returns the last key of a page token sealCursor made for the
// same scope; "" when tok is nil.
func (s *Service) openCursor(tok *string, scope ...string) (string, error) {
	if tok == nil || *tok == "" {
		return "", nil
	}
	enc := base64.RawURLEncoding
	a, b, ok := strings.Cut(*tok, ".")
	last, err1 := enc.DecodeString(a)
	mac, err2 := enc.DecodeString(b)
	if !ok || err1 != nil || err2 != nil || !hmac.Equal(mac, s.cursorMAC(string(last), scope)) {
		return "", badRequestf("The nextToken is invalid: it was not issued for this listing")
	}
	return string(last), nil
}

func (s *Service) cursorMAC(last string, scope []string) []byte {
	m := hmac.New(sha256.New, s.secret)
	for _, part := range append(scope, last) {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}
