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
// names backend-config.json's "parameters" declares. An imported bucket is
// such a resource: its bucketName and region are the environment's, not the
// project's.

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
func envParameters(p Partition, e *Env, resources []Resource) ([]EnvParameter, error) {
	var out []EnvParameter
	for i := range resources {
		r := &resources[i]
		if r.Kind != KindStorage || !r.Imported {
			continue
		}
		cfg, err := r.storageConfig()
		if err != nil {
			return nil, err
		}
		for _, kv := range [][2]string{{"bucketName", str(cfg.BucketName)}, {"region", p.Region}} {
			v, err := json.Marshal(kv[1])
			if err != nil {
				return nil, err
			}
			out = append(out, EnvParameter{Category: string(r.Kind), Resource: r.Name, Name: kv[0], Value: string(v), Modified: pushedAt(e)})
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
			params, err := envParameters(p, e, resources)
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
