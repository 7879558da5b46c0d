package backend

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"
)

// The user pools and identity pools of the partition's auth resources, as
// Cognito User Pools and Cognito Identity show them: the Amplify CLI reads a
// pool's social identity providers on pull to restore their credentials,
// and re-validates an imported pool (its settings, app clients, identity
// pool and roles) before it takes it into the project.
//
// A pool the Admin API made is named as the CLI's CloudFormation names it,
// <userPoolName>-<env>; its id is the meta's UserPoolId, its app clients the
// meta's AppClientIDWeb and AppClientID, its settings those of the stored
// configuration. An imported pool is someone else's: amplifylite knows only
// the ids ImportBackendAuth gave, so the pool is named after its id, its app
// clients after the resource, and its settings are those of a configuration
// that sets nothing (no MFA, minimum password length 8 without character
// classes, username sign-in, no required or auto-verified attributes).
// Identity pools take the environment's authenticated and unauthenticated
// roles (providers.awscloudformation). A pool reached from several
// resources (imported by another environment) is listed once, with the
// app clients of all.

// UserPool is a user pool of the partition.
type UserPool struct {
	ID, Name  string
	Created   time.Time
	Modified  time.Time
	Providers []IdentityProvider // by name
	Clients   []PoolClient       // by id
	Settings  PoolSettings
	imported  bool
}

// PoolClient is an app client of a user pool; none has a secret.
type PoolClient struct{ ID, Name string }

// PoolSettings are a user pool's sign-in settings, in Cognito's terms.
type PoolSettings struct {
	MFA                                    string   // OFF, ON, OPTIONAL
	MFATypes                               []string // SMS, TOTP
	UsernameAttributes                     []string // email, phone_number
	AutoVerified                           []string // email, phone_number
	Required                               []string // lower-case standard attribute names
	MinLength                              int
	Lowercase, Uppercase, Numbers, Symbols bool
}

// IdentityProvider is a social sign-in provider of a user pool.
type IdentityProvider struct {
	Name             string // Facebook, Google, LoginWithAmazon, SignInWithApple
	Details          map[string]string
	AttributeMapping map[string]string
}

// IdentityPool is an identity pool of the partition, federating one user
// pool's app clients.
type IdentityPool struct {
	ID, Name             string
	AllowUnauthed        bool
	UserPoolID           string
	ClientIDs            []string
	AuthRole, UnauthRole string
	Created              time.Time
}

// authResources calls f with each environment's auth resource (imported or
// not) and the resource's meta.
func authResources(tx Tx, p Partition, f func(app *App, e *Env, r *Resource, meta resourceMeta) error) error {
	var found error
	_, _, err := envWhere(tx, p, func(app *App, e *Env) bool {
		r, err := tx.Resource(p, app.ID, e.Name, KindAuth, "")
		if err != nil || r == nil {
			found = err
			return err != nil
		}
		meta, err := resourceMetaOf(p, app.ID, e.Name, r)
		if err == nil {
			err = f(app, e, r, meta)
		}
		found = err
		return err != nil
	})
	if err == nil {
		err = found
	}
	return err
}

// UserPools lists the partition's user pools by id.
func (s *Service) UserPools(ctx context.Context, p Partition) ([]UserPool, error) {
	byID := map[string]*UserPool{}
	err := s.store.View(ctx, func(tx Tx) error {
		return authResources(tx, p, func(app *App, e *Env, r *Resource, meta resourceMeta) error {
			pool, err := userPoolOf(e, r, meta)
			if err != nil {
				return err
			}
			if have := byID[pool.ID]; have != nil {
				if have.imported && !pool.imported {
					pool.Clients = append(pool.Clients, have.Clients...)
					*have = pool // the pool's own resource describes it
				} else {
					have.Clients = append(have.Clients, pool.Clients...)
				}
				return nil
			}
			byID[pool.ID] = &pool
			return nil
		})
	})
	out := make([]UserPool, 0, len(byID))
	for _, pool := range byID {
		sort.Slice(pool.Clients, func(i, j int) bool { return pool.Clients[i].ID < pool.Clients[j].ID })
		pool.Clients = slices.CompactFunc(pool.Clients, func(a, b PoolClient) bool { return a.ID == b.ID })
		out = append(out, *pool)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

func userPoolOf(e *Env, r *Resource, meta resourceMeta) (UserPool, error) {
	cfg, err := r.authConfig()
	if err != nil {
		return UserPool{}, err
	}
	client := deployedName(r) + "_app_client"
	pool := UserPool{ID: meta.Output["UserPoolId"], Created: r.Created, Modified: pushedAt(e),
		Settings: poolSettingsOf(cfg),
		Clients:  []PoolClient{{ID: meta.Output["AppClientIDWeb"], Name: client + "Web"}, {ID: meta.Output["AppClientID"], Name: client}}}
	if pool.Modified.Before(pool.Created) {
		pool.Modified = pool.Created
	}
	if r.Imported {
		pool.Name, pool.imported = meta.Output["UserPoolName"], true
		return pool, nil
	}
	name, _ := authParams(r.Name, cfg)["userPoolName"].(string)
	pool.Name = name + "-" + e.Name
	if up := cfg.UserPoolConfigs; up != nil && up.OAuth != nil && up.OAuth.SocialProviderSettings != nil {
		sp := up.OAuth.SocialProviderSettings
		add := func(name, scopes, username string, details map[string]*string) {
			d := map[string]string{"authorize_scopes": scopes}
			for k, v := range details {
				if v != nil {
					d[k] = *v
				}
			}
			pool.Providers = append(pool.Providers, IdentityProvider{Name: name, Details: d,
				AttributeMapping: map[string]string{"email": "email", "username": username}})
		}
		for _, x := range socialProviders {
			switch x.name {
			case "Facebook":
				if sp.Facebook != nil {
					add(x.name, x.scopes, x.username, map[string]*string{"client_id": sp.Facebook.ClientId, "client_secret": sp.Facebook.ClientSecret})
				}
			case "Google":
				if sp.Google != nil {
					add(x.name, x.scopes, x.username, map[string]*string{"client_id": sp.Google.ClientId, "client_secret": sp.Google.ClientSecret})
				}
			case "LoginWithAmazon":
				if sp.LoginWithAmazon != nil {
					add(x.name, x.scopes, x.username, map[string]*string{"client_id": sp.LoginWithAmazon.ClientId, "client_secret": sp.LoginWithAmazon.ClientSecret})
				}
			case "SignInWithApple":
				if a := sp.SignInWithApple; a != nil {
					add(x.name, x.scopes, x.username, map[string]*string{"client_id": a.ClientId, "team_id": a.TeamId, "key_id": a.KeyId, "private_key": a.PrivateKey})
				}
			}
		}
	}
	return pool, nil
}

// poolSettingsOf is the user pool a configuration makes (the frontend
// configuration's settings in Cognito's terms).
func poolSettingsOf(cfg *AuthConfig) PoolSettings {
	f := frontendAuthOf(cfg)
	lower := func(xs []string) []string {
		out := []string{}
		for _, x := range xs {
			out = append(out, strings.ToLower(x))
		}
		return out
	}
	s := PoolSettings{MFA: f.MfaConfiguration, MinLength: f.PasswordProtectionSettings.PasswordPolicyMinLength,
		UsernameAttributes: lower(f.UsernameAttributes), AutoVerified: lower(f.VerificationMechanisms), Required: lower(f.SignupAttributes)}
	if s.MFA != "OFF" {
		s.MFATypes = f.MfaTypes
	}
	for _, c := range f.PasswordProtectionSettings.PasswordPolicyCharacters {
		switch c {
		case "REQUIRES_LOWERCASE":
			s.Lowercase = true
		case "REQUIRES_UPPERCASE":
			s.Uppercase = true
		case "REQUIRES_NUMBERS":
			s.Numbers = true
		case "REQUIRES_SYMBOLS":
			s.Symbols = true
		}
	}
	return s
}

// IdentityPools lists the partition's identity pools by id.
func (s *Service) IdentityPools(ctx context.Context, p Partition) ([]IdentityPool, error) {
	byID := map[string]*IdentityPool{}
	err := s.store.View(ctx, func(tx Tx) error {
		return authResources(tx, p, func(app *App, e *Env, r *Resource, meta resourceMeta) error {
			id := meta.Output["IdentityPoolId"]
			if id == "" {
				return nil
			}
			cfg, err := r.authConfig()
			if err != nil {
				return err
			}
			clients := []string{meta.Output["AppClientIDWeb"], meta.Output["AppClientID"]}
			if have := byID[id]; have != nil {
				have.ClientIDs = append(have.ClientIDs, clients...)
				return nil
			}
			prov := providerMeta(p, app, e)
			ip := &IdentityPool{ID: id, Name: identityPoolName(deployedName(r), cfg), AllowUnauthed: true,
				UserPoolID: meta.Output["UserPoolId"], ClientIDs: clients,
				AuthRole: prov.AuthRoleArn, UnauthRole: prov.UnauthRoleArn, Created: r.Created}
			if !r.Imported {
				ip.AllowUnauthed = cfg.IdentityPoolConfigs != nil && cfg.IdentityPoolConfigs.UnauthenticatedLogin != nil && *cfg.IdentityPoolConfigs.UnauthenticatedLogin
			}
			byID[id] = ip
			return nil
		})
	})
	out := make([]IdentityPool, 0, len(byID))
	for _, ip := range byID {
		sort.Strings(ip.ClientIDs)
		ip.ClientIDs = slices.Compact(ip.ClientIDs)
		out = append(out, *ip)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

// deployedName is a resource's name in the deployed project: an imported
// auth resource is named after its user pool id, whose "_" the CLI's
// environment parameter keys (AMPLIFY_<category>_<resource>_<name>) cannot
// carry, so it drops every character but ASCII letters and digits (an id
// without any, which Cognito never makes, becomes "importedauth").
func deployedName(r *Resource) string {
	if r.Kind != KindAuth || !r.Imported {
		return r.Name
	}
	var b strings.Builder
	for _, c := range r.Name {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return "importedauth"
	}
	return b.String()
}

// socialProviders are the social sign-in providers the Admin API
// configures, with the scopes and username attribute the CLI gives them.
var socialProviders = []struct{ name, scopes, username string }{
	{"Facebook", "email,public_profile", "id"},
	{"Google", "openid email profile", "sub"},
	{"LoginWithAmazon", "profile profile:user_id", "user_id"},
	{"SignInWithApple", "email", "sub"},
}
