package backend

import (
	"context"
	"sort"
	"time"
)

// The user pools of the partition's auth resources, as Cognito User Pools
// shows them: the Amplify CLI reads a pool's social identity providers on
// pull to restore their credentials. A pool is named as the CLI's
// CloudFormation names it, <userPoolName>-<env>; its id is the meta's
// UserPoolId. Imported pools are someone else's and are not listed.

// UserPool is an auth resource's user pool.
type UserPool struct {
	ID, Name  string
	Created   time.Time
	Modified  time.Time
	Providers []IdentityProvider // by name
}

// IdentityProvider is a social sign-in provider of a user pool.
type IdentityProvider struct {
	Name             string // Facebook, Google, LoginWithAmazon, SignInWithApple
	Details          map[string]string
	AttributeMapping map[string]string
}

// UserPools lists the partition's user pools by id.
func (s *Service) UserPools(ctx context.Context, p Partition) ([]UserPool, error) {
	var out []UserPool
	err := s.store.View(ctx, func(tx Tx) error {
		var found error
		_, _, err := envWhere(tx, p, func(app *App, e *Env) bool {
			r, err := tx.Resource(p, app.ID, e.Name, KindAuth, "")
			if err != nil || r == nil || r.Imported {
				found = err
				return err != nil
			}
			pool, err := userPoolOf(p, app, e, r)
			if err != nil {
				found = err
				return true
			}
			out = append(out, pool)
			return false
		})
		if err == nil {
			err = found
		}
		return err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

func userPoolOf(p Partition, app *App, e *Env, r *Resource) (UserPool, error) {
	base, err := resourceMetaOf(p, app.ID, e.Name, r)
	if err != nil {
		return UserPool{}, err
	}
	cfg, err := r.authConfig()
	if err != nil {
		return UserPool{}, err
	}
	name, _ := authParams(r.Name, cfg)["userPoolName"].(string)
	pool := UserPool{ID: base.Output["UserPoolId"], Name: name + "-" + e.Name, Created: r.Created, Modified: pushedAt(e)}
	if pool.Modified.Before(pool.Created) {
		pool.Modified = pool.Created
	}
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

// socialProviders are the social sign-in providers the Admin API
// configures, with the scopes and username attribute the CLI gives them.
var socialProviders = []struct{ name, scopes, username string }{
	{"Facebook", "email,public_profile", "id"},
	{"Google", "openid email profile", "sub"},
	{"LoginWithAmazon", "profile profile:user_id", "user_id"},
	{"SignInWithApple", "email", "sub"},
}
