package backend

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Browsing: the read model of the console (internal/console). Each call
// reads in one transaction and returns the domain's records as they are,
// job payloads left out; the console shows resources' configurations
// through the API's own Get operations.

// JobCounts counts jobs by status.
type JobCounts struct {
	Running, Completed, Failed int
}

// Total is the number of jobs counted.
func (c JobCounts) Total() int { return c.Running + c.Completed + c.Failed }

func (c *JobCounts) count(status string) {
	switch status {
	case StatusRunning:
		c.Running++
	case StatusCompleted:
		c.Completed++
	default:
		c.Failed++
	}
}

// PartitionSummary is a partition that holds records, with counts.
type PartitionSummary struct {
	Partition
	Apps, Environments, Resources, Tokens, Buckets int
	Jobs                                           JobCounts
}

// AppSummary is an app with its environments and job counts. An app whose
// record RemoveAllBackends deleted but whose jobs remain is Removed.
type AppSummary struct {
	ID      string
	Name    string
	Created time.Time
	Removed bool
	Config  *AppConfig // Admin UI config; nil when absent
	Envs    []EnvSummary
	Jobs    JobCounts
	Tokens  int
}

// EnvSummary is an environment and its resources, ordered by kind, then name.
type EnvSummary struct {
	Name      string
	Created   time.Time
	Resources []ResourceSummary
}

// ResourceSummary names a resource. ModelsStatus is that of its generated
// models (API only): "" when never generated, else LATEST or STALE as
// GetBackendAPIModels reports it.
type ResourceSummary struct {
	Kind         ResourceKind
	Name         string
	Imported     bool
	Created      time.Time
	ModelsStatus string
}

// JobListing is a job with its partition, without its payload.
type JobListing struct {
	Partition Partition
	Job
}

// BrowseFilter selects apps and jobs; empty members match anything.
type BrowseFilter struct {
	Account, Region, AppID, Environment, Operation, Status string
}

func (f BrowseFilter) hasPartition(p Partition) bool {
	return (f.Account == "" || f.Account == p.Account) && (f.Region == "" || f.Region == p.Region)
}

func (f BrowseFilter) hasJob(j *Job) bool {
	return (f.Environment == "" || slices.Contains(j.Envs, f.Environment)) &&
		(f.Operation == "" || f.Operation == j.Operation) && (f.Status == "" || f.Status == j.Status)
}

// Browse is one read of the partitions, apps and jobs a filter selects:
// partitions by account then region, apps by ID, jobs newest first.
type Browse struct {
	Partitions []PartitionSummary
	Apps       map[Partition][]AppSummary
	Jobs       []JobListing // only with BrowseOptions.Jobs
	// Operations lists every job operation of the apps read, whatever the
	// filter's Operation and Status, for filter menus.
	Operations []string
}

// BrowseOptions says what Browse reads besides the apps.
type BrowseOptions struct {
	Jobs bool // list the jobs the filter selects
}

// Browse reads the partitions, apps and (optionally) jobs the filter
// selects, in one transaction.
func (s *Service) Browse(ctx context.Context, f BrowseFilter, o BrowseOptions) (*Browse, error) {
	out := &Browse{Apps: map[Partition][]AppSummary{}}
	gen := s.gen.Load()
	ops := map[string]bool{}
	err := s.store.View(ctx, func(tx Tx) error {
		parts, err := tx.Partitions()
		if err != nil {
			return err
		}
		for _, p := range parts {
			if !f.hasPartition(p) {
				continue
			}
			sum := PartitionSummary{Partition: p}
			ids, err := tx.AppIDs(p)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if f.AppID != "" && id != f.AppID {
					continue
				}
				app, jobs, err := s.browseApp(tx, gen, p, id)
				if err != nil {
					return err
				}
				for i := range jobs {
					j := &jobs[i]
					ops[j.Operation] = true
					if o.Jobs && f.hasJob(j) {
						out.Jobs = append(out.Jobs, JobListing{Partition: p, Job: *j})
					}
				}
				out.Apps[p] = append(out.Apps[p], app)
				if !app.Removed {
					sum.Apps++
				}
				sum.Environments += len(app.Envs)
				for _, e := range app.Envs {
					sum.Resources += len(e.Resources)
				}
				sum.Tokens += app.Tokens
				sum.Jobs.Running += app.Jobs.Running
				sum.Jobs.Completed += app.Jobs.Completed
				sum.Jobs.Failed += app.Jobs.Failed
			}
			buckets, err := tx.OwnedBuckets(p)
			if err != nil {
				return err
			}
			sum.Buckets = len(buckets)
			out.Partitions = append(out.Partitions, sum)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("browse: %w", err)
	}
	slices.SortFunc(out.Jobs, func(a, b JobListing) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	for op := range ops {
		out.Operations = append(out.Operations, op)
	}
	slices.Sort(out.Operations)
	return out, nil
}

// browsed is an app as Browse read it at a write generation.
type browsed struct {
	gen  uint64
	app  AppSummary
	jobs []Job
}

// browseCache keeps the apps Browse read at the current write generation:
// a console that pages through 10,000 jobs reads them once, not per page.
// Like readCache, it is used only when the store is not shared.
type browseCache struct {
	mu   sync.Mutex
	apps map[browseKey]browsed
}

type browseKey struct {
	p  Partition
	id string
}

// browseApp reads one app and its jobs from the cache, or the store.
func (s *Service) browseApp(tx Tx, gen uint64, p Partition, id string) (AppSummary, []Job, error) {
	if s.cache == nil {
		return readBrowsedApp(tx, p, id)
	}
	k := browseKey{p, id}
	s.browsed.mu.Lock()
	b, ok := s.browsed.apps[k]
	s.browsed.mu.Unlock()
	if ok && b.gen == gen {
		return b.app, b.jobs, nil
	}
	app, jobs, err := readBrowsedApp(tx, p, id)
	if err != nil {
		return app, jobs, err
	}
	s.browsed.mu.Lock()
	if s.browsed.apps == nil || len(s.browsed.apps) > 10_000 {
		s.browsed.apps = map[browseKey]browsed{}
	}
	for k2, v := range s.browsed.apps { // entries of older generations are dead
		if v.gen != gen {
			delete(s.browsed.apps, k2)
		}
	}
	s.browsed.apps[k] = browsed{gen: gen, app: app, jobs: jobs}
	s.browsed.mu.Unlock()
	return app, jobs, nil
}

// readBrowsedApp reads one app (which may have no record) and its jobs,
// without their payloads.
func readBrowsedApp(tx Tx, p Partition, id string) (AppSummary, []Job, error) {
	out := AppSummary{ID: id}
	app, err := tx.App(p, id)
	if err != nil {
		return out, nil, err
	}
	if app == nil {
		out.Removed = true
	} else {
		out.Name, out.Created, out.Config = app.Name, app.Created, app.Config
	}
	envs, err := tx.Envs(p, id)
	if err != nil {
		return out, nil, err
	}
	for _, e := range envs {
		res, err := tx.Resources(p, id, e.Name)
		if err != nil {
			return out, nil, err
		}
		es := EnvSummary{Name: e.Name, Created: e.Created}
		for i := range res {
			es.Resources = append(es.Resources, resourceSummary(&res[i]))
		}
		out.Envs = append(out.Envs, es)
	}
	jobs, err := tx.AppJobs(p, id)
	if err != nil {
		return out, nil, err
	}
	for i := range jobs {
		jobs[i].Payload = nil
		out.Jobs.count(jobs[i].Status)
	}
	tokens, err := tx.Tokens(p, id)
	if err != nil {
		return out, nil, err
	}
	out.Tokens = len(tokens)
	return out, jobs, nil
}

func resourceSummary(r *Resource) ResourceSummary {
	rs := ResourceSummary{Kind: r.Kind, Name: r.Name, Imported: r.Imported, Created: r.Created}
	if r.Kind == KindAPI && (len(r.Generated) > 0 || r.Models != "") {
		rs.ModelsStatus = "STALE"
		// A record that no longer decodes shows as STALE; GetBackendAPI
		// reports why.
		if schema, err := apiSchema(r); err == nil && r.ModelsSchemaHash == schemaHash(schema) {
			rs.ModelsStatus = "LATEST"
		}
	}
	return rs
}
