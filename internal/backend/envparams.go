package backend

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// The environment parameters of a pulled project: what the Amplify CLI
// keeps per environment outside the backend tree (team-provider-info's
// categories) and reads back on pull from SSM Parameter Store, under
// /amplify/<appId>/<env>/AMPLIFY_<category>_<resource>_<name>, for the
// names backend-config.json's "parameters" declares. Imported resources
// are such: an imported bucket's bucketName and region, an imported user
// pool's ids (userPoolId, userPoolName, webClientId, nativeClientId, and
// identityPoolId, identityPoolName with an identity pool) are the
// environment's, not the project's.

// EnvParameter is one environment parameter.
type EnvParameter struct {
	Category, Resource, Name string
	// Value is the parameter's JSON, as the CLI stores it.
	Value    string
	Modified time.Time
}

// Key is the parameter's name under its environment's path.
func (e EnvParameter) Key() string {
	return "AMPLIFY_" + e.Category + "_" + e.Resource + "_" + e.Name
}

// envParameters lists the parameters of an environment's resources by key.
func envParameters(p Partition, appID string, e *Env, resources []Resource) ([]EnvParameter, error) {
	var out []EnvParameter
	for i := range resources {
		r := &resources[i]
		if !r.Imported {
			continue
		}
		var kvs [][2]string
		switch r.Kind {
		case KindStorage:
			cfg, err := r.storageConfig()
			if err != nil {
				return nil, err
			}
			kvs = [][2]string{{"bucketName", str(cfg.BucketName)}, {"region", p.Region}}
		case KindAuth:
			meta, err := resourceMetaOf(p, appID, e.Name, r)
			if err != nil {
				return nil, err
			}
			cfg, err := r.authConfig()
			if err != nil {
				return nil, err
			}
			o := meta.Output
			kvs = [][2]string{{"userPoolId", o["UserPoolId"]}, {"userPoolName", o["UserPoolName"]},
				{"webClientId", o["AppClientIDWeb"]}, {"nativeClientId", o["AppClientID"]}}
			if o["IdentityPoolId"] != "" {
				kvs = append(kvs, [2]string{"identityPoolId", o["IdentityPoolId"]}, [2]string{"identityPoolName", identityPoolName(deployedName(r), cfg)})
			}
		}
		for _, kv := range kvs {
			v, err := json.Marshal(kv[1])
			if err != nil {
				return nil, err
			}
			out = append(out, EnvParameter{Category: string(r.Kind), Resource: deployedName(r), Name: kv[0], Value: string(v), Modified: pushedAt(e)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out, nil
}

// EnvParameters returns the parameter of path /amplify/<appId>/<env>/<key>
// for each of paths that names one; the others are left out.
func (s *Service) EnvParameters(ctx context.Context, p Partition, paths []string) (map[string]EnvParameter, error) {
	out := map[string]EnvParameter{}
	err := s.store.View(ctx, func(tx Tx) error {
		for _, path := range paths {
			parts := strings.Split(path, "/")
			if len(parts) != 5 || parts[0] != "" || parts[1] != "amplify" || parts[2] == "" || parts[3] == "" {
				continue
			}
			e, err := tx.Env(p, parts[2], parts[3])
			if err != nil || e == nil {
				if err != nil {
					return err
				}
				continue
			}
			resources, err := tx.Resources(p, parts[2], parts[3])
			if err != nil {
				return err
			}
			params, err := envParameters(p, parts[2], e, resources)
			if err != nil {
				return err
			}
			for _, ep := range params {
				if ep.Key() == parts[4] {
					out[path] = ep
				}
			}
		}
		return nil
	})
	return out, err
}

// importedAuthParameters is auth/<name>/parameters.json of an imported
// user pool as `amplify import auth` writes it: the resource's selections
// and the pool's settings as DescribeUserPool shows them (UserPools).
func importedAuthParameters(p Partition, name string, meta resourceMeta, cfg *AuthConfig) map[string]any {
	selections := "userPoolOnly"
	if meta.Output["IdentityPoolId"] != "" {
		selections = "identityPoolAndUserPool"
	}
	s := poolSettingsOf(cfg)
	chars := []string{}
	for _, c := range []struct {
		set  bool
		name string
	}{{s.Lowercase, "Requires Lowercase"}, {s.Uppercase, "Requires Uppercase"}, {s.Numbers, "Requires Numbers"}, {s.Symbols, "Requires Symbols"}} {
		if c.set {
			chars = append(chars, c.name)
		}
	}
	mfaTypes := []string{}
	for _, t := range s.MFATypes {
		mfaTypes = append(mfaTypes, map[string]string{"SMS": "SMS Text Message", "TOTP": "TOTP"}[t])
	}
	out := map[string]any{"authSelections": selections, "resourceName": name, "serviceType": "imported", "region": p.Region,
		"requiredAttributes": s.Required, "passwordPolicyMinLength": s.MinLength, "passwordPolicyCharacters": chars,
		"mfaConfiguration": s.MFA, "autoVerifiedAttributes": s.AutoVerified, "mfaTypes": mfaTypes}
	if len(s.UsernameAttributes) > 0 {
		out["usernameAttributes"] = s.UsernameAttributes
	}
	return out
}
