package backend

import (
	"encoding/json"
)

// Effects shared by several job kinds. Each kind's own effects are beside its
// operation (apps.go, auth.go, api.go, storage.go, config.go); apply
// (jobkinds.go) dispatches to them.

func requireEnvForJob(tx Tx, p Partition, app, env string) error {
	if err := requireEnv(tx, p, app, env); err != nil {
		return failJob("%s", err.Error())
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

// putNew records a new resource in the job's environment, with its
// configuration and, for an import, its source. For auth and storage the
// environment must not have one already.
func (s *Service) putNew(a *applying, kind ResourceKind, name string, cfg, source any) error {
	if err := requireEnvForJob(a.tx, a.p, a.job.AppID, a.env); err != nil {
		return err
	}
	var existing *Resource
	var err error
	if kind == KindAPI {
		existing, err = findResource(a.tx, a.p, a.job.AppID, a.env, kind, name)
	} else {
		existing, err = findResource(a.tx, a.p, a.job.AppID, a.env, kind, "")
	}
	if err != nil {
		return err
	}
	if existing != nil {
		return failJob("%s resource %s already exists in backend environment %s of app %s", resourceTypeNames[kind], existing.Name, a.env, a.job.AppID)
	}
	r := &Resource{AppID: a.job.AppID, Env: a.env, Kind: kind, Name: name, Created: s.now()}
	if err := r.setConfig(cfg); err != nil {
		return err
	}
	if source != nil {
		if err := r.setSource(source); err != nil {
			return err
		}
	}
	return a.tx.PutResource(a.p, r)
}

// edit applies steps, in order, to an existing resource of the job's
// environment and stores the result; a step's error fails the job.
func (s *Service) edit(a *applying, kind ResourceKind, name string, steps ...func(*Resource) error) error {
	r, err := requireResource(a.tx, a.p, a.job.AppID, a.env, kind, name)
	if err != nil {
		return failJob("%s", err.Error())
	}
	for _, step := range steps {
		if err := step(r); err != nil {
			return err
		}
	}
	return a.tx.PutResource(a.p, r)
}

// mergeInto is the edit step of an update: the update's members are merged
// into the stored configuration, and members it lacks keep their values
// (objects merge member by member; anything else in the update replaces the
// stored value). The update types have the configuration's member names.
func mergeInto[C any](read func(*Resource) (*C, error), update any) func(*Resource) error {
	return func(r *Resource) error {
		cfg, err := read(r)
		if err != nil {
			return err
		}
		base, err := json.Marshal(cfg)
		if err != nil {
			return err
		}
		patch, err := json.Marshal(update)
		if err != nil {
			return err
		}
		merged, err := mergeJSON(base, patch)
		if err != nil {
			return err
		}
		next, err := decodeRecord[C]("merged configuration", merged)
		if err != nil {
			return err
		}
		return r.setConfig(next)
	}
}

func (s *Service) remove(a *applying, kind ResourceKind, name string) error {
	r, err := requireResource(a.tx, a.p, a.job.AppID, a.env, kind, name)
	if err != nil {
		return failJob("%s", err.Error())
	}
	if kind == KindStorage && !r.Imported {
		if err := deleteOwnedBuckets(a.tx, a.p, ownerOf(a.job.AppID, a.env)); err != nil {
			return err
		}
	}
	return a.tx.DeleteResource(a.p, a.job.AppID, a.env, kind, name)
}

// resourceJob is the request of a job on a named resource that needs nothing
// more (deletions, model generation).
type resourceJob struct {
	ResourceName string `json:"resourceName"`
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
