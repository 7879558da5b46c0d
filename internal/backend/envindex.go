package backend

import (
	"strings"
	"sync"
)

// Deployment buckets and stacks are named after their environment's app and
// environment names, and those names cannot be read back from them: finding
// the environment of a name means walking the partition's apps. envIndex
// keeps the walk's result per partition and trusts an entry only once the
// environment it names is read and still has that name; a name it does not
// know, or no longer knows right, makes it walk again, at most once per
// write generation. It also keeps the deployments built at the current
// generation: the same state gives the same bytes, and the CLI reads a
// bucket three times in a pull. It is not used when the store is shared
// (Config.Shared).
type envIndex struct {
	mu     sync.Mutex
	parts  map[Partition]*partNames
	gen    uint64 // of built
	built  map[Partition]map[string]*Deployment
	walked map[Partition]uint64 // generation of each partition's last walk
}

// partNames maps a partition's derived names to their environments.
type partNames struct{ names map[string]envRef }

type envRef struct{ app, env string }

// Keys of an envIndex.
func bucketKey(b string) string { return "bucket\x00" + b }
func stackKey(s string) string  { return "stack\x00" + s }

// ref returns what the index holds for key, and whether the partition was
// walked at generation gen.
func (x *envIndex) ref(p Partition, gen uint64, key string) (envRef, bool, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	pn := x.parts[p]
	if pn == nil {
		return envRef{}, false, false
	}
	r, ok := pn.names[key]
	return r, ok, x.walked[p] == gen
}

// walk rebuilds the partition's names in tx, as of generation gen.
func (x *envIndex) walk(tx Tx, p Partition, gen uint64) error {
	names := map[string]envRef{}
	_, _, err := envWhere(tx, p, func(app *App, e *Env) bool {
		stack, bucket := stackOf(p, app, e)
		ref := envRef{app.ID, e.Name}
		for _, k := range []string{bucketKey(bucket), stackKey(stack)} {
			if _, dup := names[k]; !dup { // the first, as envWhere would find it
				names[k] = ref
			}
		}
		return false
	})
	if err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.parts == nil {
		x.parts, x.walked = map[Partition]*partNames{}, map[Partition]uint64{}
	}
	x.parts[p], x.walked[p] = &partNames{names}, gen
	return nil
}

// deployment returns the deployment of bucket built at gen, if any.
func (x *envIndex) deployment(p Partition, gen uint64, bucket string) *Deployment {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.gen != gen {
		return nil
	}
	return x.built[p][bucket]
}

// keep remembers d, built at gen.
func (x *envIndex) keep(p Partition, gen uint64, d *Deployment) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.gen != gen || x.built == nil {
		x.gen, x.built = gen, map[Partition]map[string]*Deployment{}
	}
	if x.built[p] == nil {
		x.built[p] = map[string]*Deployment{}
	}
	x.built[p][d.Bucket] = d
}

// envNamed returns the environment whose deployment bucket or root stack
// (per key) is the name, with its app; nil when none is. gen is the write
// generation read before tx began.
func (s *Service) envNamed(tx Tx, p Partition, gen uint64, key func(string) string, name string) (*App, *Env, error) {
	match := func(app *App, e *Env) bool {
		stack, bucket := stackOf(p, app, e)
		return key(name) == bucketKey(bucket) || key(name) == stackKey(stack)
	}
	if s.envs == nil {
		return envWhere(tx, p, match)
	}
	for attempt := 0; ; attempt++ {
		ref, ok, fresh := s.envs.ref(p, gen, key(name))
		if ok {
			app, err := tx.App(p, ref.app)
			if err != nil {
				return nil, nil, err
			}
			if app != nil {
				e, err := tx.Env(p, ref.app, ref.env)
				if err != nil || (e != nil && match(app, e)) {
					return app, e, err
				}
			}
		}
		if fresh || attempt > 0 { // another reader's walk may have raced this one's: once is enough
			return nil, nil, nil
		}
		if err := s.envs.walk(tx, p, gen); err != nil {
			return nil, nil, err
		}
	}
}

// rootOfStack returns the environment whose root stack is name or, for a
// nested stack's name (<root>-<logical id>-<suffix>), its parent.
func (s *Service) rootOfStack(tx Tx, p Partition, gen uint64, name string) (*App, *Env, error) {
	for end := len(name); end > 0; end = strings.LastIndexByte(name[:end], '-') {
		app, e, err := s.envNamed(tx, p, gen, stackKey, name[:end])
		if err != nil || e != nil {
			return app, e, err
		}
	}
	return nil, nil, nil
}
