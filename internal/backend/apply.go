package backend

import (
	"encoding/json"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
)

// apply performs a completing job's effects inside its transaction. State may
// have moved since the request was accepted (a job forced to COMPLETED late,
// an app removed meanwhile): what can no longer be done fails the job.
// Schema processing is not done here but asked of work (see finish).
func (s *Service) apply(tx Tx, p Partition, j *Job, work schemaWork) error {
	env := j.Envs[0]
	switch j.Kind {
	case ab.OpCreateBackend:
		return applyPayload(j, func(in *ab.CreateBackendRequest) error { return s.applyCreateBackend(tx, p, j, in) })
	case ab.OpCloneBackend:
		return applyPayload(j, func(in *ab.CloneBackendRequest) error {
			return s.applyClone(tx, p, j.AppID, env, *in.TargetEnvironmentName)
		})
	case ab.OpDeleteBackend:
		if err := requireEnvForJob(tx, p, j.AppID, env); err != nil {
			return err
		}
		return deleteEnv(tx, p, j.AppID, env)
	case ab.OpRemoveAllBackends:
		return applyPayload(j, func(in *ab.RemoveAllBackendsRequest) error { return applyRemoveAll(tx, p, j.AppID, in) })
	case ab.OpCreateBackendAuth:
		return applyPayload(j, func(in *ab.CreateBackendAuthRequest) error {
			return s.putNew(tx, p, j, KindAuth, *in.ResourceName, in.ResourceConfig, nil)
		})
	case ab.OpImportBackendAuth:
		return applyPayload(j, func(in *ab.ImportBackendAuthRequest) error {
			return s.putNew(tx, p, j, KindAuth, *in.UserPoolId, importedAuthConfig(in), in)
		})
	case ab.OpUpdateBackendAuth:
		return applyPayload(j, func(in *ab.UpdateBackendAuthRequest) error {
			return s.edit(tx, p, j, KindAuth, *in.ResourceName, mergeInto(in.ResourceConfig))
		})
	case ab.OpDeleteBackendAuth:
		return applyPayload(j, func(in *ab.DeleteBackendAuthRequest) error { return s.remove(tx, p, j, KindAuth, *in.ResourceName) })
	case ab.OpCreateBackendAPI:
		return applyPayload(j, func(in *ab.CreateBackendAPIRequest) error {
			if err := work.check(str(in.ResourceConfig.TransformSchema)); err != nil {
				return err
			}
			return s.putNew(tx, p, j, KindAPI, *in.ResourceName, in.ResourceConfig, nil)
		})
	case ab.OpUpdateBackendAPI:
		return applyPayload(j, func(in *ab.UpdateBackendAPIRequest) error {
			return s.edit(tx, p, j, KindAPI, *in.ResourceName, mergeInto(in.ResourceConfig), func(r *Resource) error {
				return work.check(apiSchema(r))
			})
		})
	case ab.OpDeleteBackendAPI:
		return applyPayload(j, func(in *ab.DeleteBackendAPIRequest) error { return s.remove(tx, p, j, KindAPI, *in.ResourceName) })
	case ab.OpGenerateBackendAPIModels:
		return applyPayload(j, func(in *ab.GenerateBackendAPIModelsRequest) error {
			return s.applyGenerate(tx, p, j, *in.ResourceName, work)
		})
	case ab.OpCreateBackendStorage:
		return applyPayload(j, func(in *ab.CreateBackendStorageRequest) error { return s.applyCreateStorage(tx, p, j, in) })
	case ab.OpImportBackendStorage:
		return applyPayload(j, func(in *ab.ImportBackendStorageRequest) error { return s.applyImportStorage(tx, p, j, in) })
	case ab.OpUpdateBackendStorage:
		return applyPayload(j, func(in *ab.UpdateBackendStorageRequest) error {
			return s.edit(tx, p, j, KindStorage, *in.ResourceName, func(r *Resource) error {
				var cfg ab.CreateBackendStorageResourceConfig
				if err := json.Unmarshal(r.Config, &cfg); err != nil {
					return err
				}
				cfg.Permissions = in.ResourceConfig.Permissions
				var err error
				r.Config, err = json.Marshal(&cfg)
				return err
			})
		})
	case ab.OpDeleteBackendStorage:
		return applyPayload(j, func(in *ab.DeleteBackendStorageRequest) error {
			return s.remove(tx, p, j, KindStorage, *in.ResourceName)
		})
	case ab.OpCreateBackendConfig:
		return applyPayload(j, func(in *ab.CreateBackendConfigRequest) error { return s.applyCreateConfig(tx, p, j.AppID, in) })
	}
	return failJob("The job could not be applied: amplifylite does not know jobs of kind %q", j.Kind)
}

// applyPayload decodes the job's request and runs fn on it. A stored request
// that no longer decodes fails the job (one that lacks a member fn needs
// panics, which applySafely turns into a failure too).
func applyPayload[T any](j *Job, fn func(*T) error) error {
	in := new(T)
	if err := json.Unmarshal(j.Payload, in); err != nil {
		return failJob("The job could not be applied: its stored request does not decode: %v", err)
	}
	return fn(in)
}

func requireEnvForJob(tx Tx, p Partition, app, env string) error {
	if err := requireEnv(tx, p, app, env); err != nil {
		return failJob("%s", err.Error())
	}
	return nil
}

func (s *Service) applyCreateBackend(tx Tx, p Partition, j *Job, in *ab.CreateBackendRequest) error {
	env := j.Envs[0]
	a, err := tx.App(p, j.AppID)
	if err != nil {
		return err
	}
	envs, err := tx.Envs(p, j.AppID)
	if err != nil {
		return err
	}
	for _, e := range envs {
		if e.Name == env {
			return failJob("Backend environment %s already exists for app %s", env, j.AppID)
		}
	}
	switch {
	case a == nil:
		a = &App{ID: j.AppID, Name: *in.AppName, Created: s.now()}
	case len(envs) == 0:
		a.Name = *in.AppName
	}
	if err := tx.PutApp(p, a); err != nil {
		return err
	}
	return tx.PutEnv(p, &Env{AppID: j.AppID, Name: env, Created: s.now()})
}

func (s *Service) applyClone(tx Tx, p Partition, app, src, dst string) error {
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
			if r.Config, err = s.createOwnedBucket(tx, p, app, dst, r.Name, r.Config, nil); err != nil {
				return err
			}
		}
		if err := tx.PutResource(p, &r); err != nil {
			return err
		}
	}
	return nil
}

// deleteEnv removes an environment, its resources and the buckets they created.
func deleteEnv(tx Tx, p Partition, app, env string) error {
	if err := deleteOwnedBuckets(tx, p, ownerOf(app, env)); err != nil {
		return err
	}
	return tx.DeleteEnv(p, app, env)
}

func deleteOwnedBuckets(tx Tx, p Partition, owner string) error {
	buckets, err := tx.Buckets(p)
	if err != nil {
		return err
	}
	for _, b := range buckets {
		if b.Owner == owner {
			if err := tx.DeleteBucket(p, b.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

func applyRemoveAll(tx Tx, p Partition, app string, in *ab.RemoveAllBackendsRequest) error {
	if a, err := tx.App(p, app); err != nil || a == nil {
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
	if in.CleanAmplifyApp != nil && *in.CleanAmplifyApp {
		return tx.DeleteApp(p, app)
	}
	return nil
}

// putNew records a new resource in the job's environment. For auth and
// storage the environment must not have one already.
func (s *Service) putNew(tx Tx, p Partition, j *Job, kind ResourceKind, name string, cfg, source any) error {
	env := j.Envs[0]
	if err := requireEnvForJob(tx, p, j.AppID, env); err != nil {
		return err
	}
	existing, err := findResource(tx, p, j.AppID, env, kind, name)
	if kind != KindAPI {
		existing, err = findResource(tx, p, j.AppID, env, kind, "")
	}
	if err != nil {
		return err
	}
	if existing != nil {
		return failJob("%s resource %s already exists in backend environment %s of app %s", kindTypes[kind], existing.Name, env, j.AppID)
	}
	r := &Resource{AppID: j.AppID, Env: env, Kind: kind, Name: name, Imported: source != nil, Created: s.now()}
	if r.Config, err = json.Marshal(cfg); err != nil {
		return err
	}
	if source != nil {
		if r.Source, err = json.Marshal(source); err != nil {
			return err
		}
	}
	return tx.PutResource(p, r)
}

// edit applies steps, in order, to an existing resource of the job's
// environment and stores the result; a step's error fails the job.
func (s *Service) edit(tx Tx, p Partition, j *Job, kind ResourceKind, name string, steps ...func(*Resource) error) error {
	r, err := requireResource(tx, p, j.AppID, j.Envs[0], kind, name)
	if err != nil {
		return failJob("%s", err.Error())
	}
	for _, step := range steps {
		if err := step(r); err != nil {
			return err
		}
	}
	return tx.PutResource(p, r)
}

// mergeInto is the edit step of an update: the update's members are merged
// into the stored config, and members it lacks keep their values.
func mergeInto(update any) func(*Resource) error {
	return func(r *Resource) error {
		patch, err := json.Marshal(update)
		if err != nil {
			return err
		}
		r.Config, err = mergeJSON(r.Config, patch)
		return err
	}
}

func (s *Service) remove(tx Tx, p Partition, j *Job, kind ResourceKind, name string) error {
	env := j.Envs[0]
	r, err := requireResource(tx, p, j.AppID, env, kind, name)
	if err != nil {
		return failJob("%s", err.Error())
	}
	if kind == KindStorage && !r.Imported {
		if err := deleteOwnedBuckets(tx, p, ownerOf(j.AppID, env)); err != nil {
			return err
		}
	}
	return tx.DeleteResource(p, j.AppID, env, kind, name)
}

func (s *Service) applyGenerate(tx Tx, p Partition, j *Job, name string, work schemaWork) error {
	r, err := requireResource(tx, p, j.AppID, j.Envs[0], KindAPI, name)
	if err != nil {
		return failJob("%s", err.Error())
	}
	schema := apiSchema(r)
	switch {
	case schema == "":
		return failJob("API %s has no transformSchema to generate models from", name)
	case s.cfg.Models == nil:
		return failJob("Model generation is not available in this build of amplifylite")
	}
	res, ok := work[schema]
	switch {
	case !ok || res.genErr == nil && res.packed == nil:
		return &needSchema{schema: schema, pack: true}
	case res.genErr != nil:
		return failJob("Model generation failed: %v", res.genErr)
	}
	r.setGenerated(res.packed, schemaHash(schema))
	return tx.PutResource(p, r)
}

func (s *Service) applyCreateStorage(tx Tx, p Partition, j *Job, in *ab.CreateBackendStorageRequest) error {
	env, name := j.Envs[0], *in.ResourceName
	if err := requireEnvForJob(tx, p, j.AppID, env); err != nil {
		return err
	}
	cfg, err := json.Marshal(in.ResourceConfig)
	if err != nil {
		return err
	}
	if cfg, err = s.createOwnedBucket(tx, p, j.AppID, env, name, cfg, in.ResourceConfig.BucketName); err != nil {
		return err
	}
	return s.putNew(tx, p, j, KindStorage, name, json.RawMessage(cfg), nil)
}

// createOwnedBucket records the bucket of a storage resource, named bucket or
// generated, and returns cfg with bucketName set to it.
func (s *Service) createOwnedBucket(tx Tx, p Partition, app, env, resource string, cfg json.RawMessage, bucket *string) (json.RawMessage, error) {
	var name string
	if bucket != nil {
		name = *bucket
		if err := checkBucketFree(tx, p, name); err != nil {
			return nil, failJob("%s", err.Error())
		}
	} else {
		var err error
		if name, err = uniqueBucketName(tx, p, app, env, resource); err != nil {
			return nil, err
		}
	}
	if err := tx.PutBucket(p, &Bucket{Name: name, Created: s.now(), Owner: ownerOf(app, env)}); err != nil {
		return nil, err
	}
	var c ab.CreateBackendStorageResourceConfig
	if err := json.Unmarshal(cfg, &c); err != nil {
		return nil, err
	}
	c.BucketName = ab.String(name)
	return json.Marshal(&c)
}

func (s *Service) applyImportStorage(tx Tx, p Partition, j *Job, in *ab.ImportBackendStorageRequest) error {
	cfg := &ab.CreateBackendStorageResourceConfig{BucketName: in.BucketName, ServiceName: in.ServiceName}
	if err := s.putNew(tx, p, j, KindStorage, *in.BucketName, cfg, in); err != nil {
		return err
	}
	buckets, err := tx.Buckets(p)
	if err != nil {
		return err
	}
	for _, b := range buckets {
		if b.Name == *in.BucketName {
			return nil // already listed (configured, or imported before)
		}
	}
	return tx.PutBucket(p, &Bucket{Name: *in.BucketName, Created: s.now()})
}

func (s *Service) applyCreateConfig(tx Tx, p Partition, app string, in *ab.CreateBackendConfigRequest) error {
	a, err := tx.App(p, app)
	if err != nil {
		return err
	}
	if a == nil {
		return failJob("App %s not found", app)
	}
	manager := str(in.BackendManagerAppId)
	if manager == "" {
		manager = app
	}
	login, err := json.Marshal(adminLoginConfig(p, app))
	if err != nil {
		return err
	}
	if a.Config != nil && len(a.Config.LoginAuthConfig) > 0 {
		login = a.Config.LoginAuthConfig // keep what UpdateBackendConfig stored
	}
	a.Config = &AppConfig{BackendManagerAppID: manager, LoginAuthConfig: login}
	return tx.PutApp(p, a)
}

// mergeJSON merges patch into base: objects merge member by member, anything
// else in patch replaces what base has.
func mergeJSON(base, patch json.RawMessage) (json.RawMessage, error) {
	var b, pt any
	if len(base) > 0 {
		if err := json.Unmarshal(base, &b); err != nil {
			return nil, err
		}
	}
	if err := json.Unmarshal(patch, &pt); err != nil {
		return nil, err
	}
	return json.Marshal(mergeValues(b, pt))
}

func mergeValues(base, patch any) any {
	if patch == nil { // an absent update (JSON null) changes nothing
		return base
	}
	bm, ok1 := base.(map[string]any)
	pm, ok2 := patch.(map[string]any)
	if !ok1 || !ok2 {
		return patch
	}
	for k, v := range pm {
		bm[k] = mergeValues(bm[k], v)
	}
	return bm
}
