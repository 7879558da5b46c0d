package backend

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Reset, export and import of the whole state (the control plane's
// /_amplifylite/reset and /_amplifylite/state). Shared buckets (Config.Buckets)
// are server configuration: never removed, exported or imported.

// Scope narrows a reset or an export: empty members match anything.
type Scope struct {
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	AppID   string `json:"appId,omitempty"`
}

func (sc Scope) hasPartition(p Partition) bool {
	return (sc.Account == "" || sc.Account == p.Account) && (sc.Region == "" || sc.Region == p.Region)
}

// hasBucket reports whether a partition's bucket is within the scope: every
// bucket of a partition in scope, or with AppID only those its storage
// resources created.
func (sc Scope) hasBucket(b Bucket) bool {
	return sc.AppID == "" || strings.HasPrefix(b.Owner, ownerOf(sc.AppID, ""))
}

// Reset removes every record within the scope, running jobs included, in one
// transaction, and returns how many of each kind it removed.
func (s *Service) Reset(ctx context.Context, sc Scope) (RecordCounts, error) {
	var removed RecordCounts
	err := s.update(ctx, func(tx Tx) error {
		removed = RecordCounts{}
		return reset(tx, sc, &removed)
	})
	s.notify() // the next due job may be gone
	return removed, err
}

func reset(tx Tx, sc Scope, removed *RecordCounts) error {
	parts, err := tx.Partitions()
	if err != nil {
		return err
	}
	for _, p := range parts {
		if !sc.hasPartition(p) {
			continue
		}
		n, err := tx.DeleteRecords(p, sc.AppID)
		if err != nil {
			return err
		}
		removed.Add(n)
		buckets, err := tx.OwnedBuckets(p)
		if err != nil {
			return err
		}
		for _, b := range buckets {
			if !sc.hasBucket(b) {
				continue
			}
			if err := tx.DeleteBucket(p, b.Name); err != nil {
				return err
			}
			removed.Buckets++
		}
	}
	return nil
}

// Snapshot format.
const (
	SnapshotFormat  = "amplifylite-state"
	SnapshotVersion = 1
)

// Snapshot is an exported state: every record of the partitions in Scope,
// nested by partition and app, in the records' own stored form (each carries
// its record version, see records.go).
type Snapshot struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Amplifylite is the version of the release that exported it.
	Amplifylite string    `json:"amplifylite"`
	ExportedAt  time.Time `json:"exportedAt"`
	// Scope is what the export was narrowed to (absent: everything); an
	// import in replace mode resets it first.
	Scope      *Scope              `json:"scope,omitempty"`
	Partitions []SnapshotPartition `json:"partitions"`
}

// SnapshotPartition is one partition's records.
type SnapshotPartition struct {
	Account string        `json:"account"`
	Region  string        `json:"region"`
	Apps    []SnapshotApp `json:"apps"`
	// Buckets are the partition's own buckets (created by storage
	// resources, or imported); shared ones are not included.
	Buckets []Bucket `json:"buckets"`
}

// SnapshotApp is an app's records: the app record's members (absent, with
// Removed, when only its jobs remain after RemoveAllBackends cleaned the
// app), its environments with their resources, its jobs with their payloads
// and its challenge tokens.
type SnapshotApp struct {
	ID           string        `json:"id"`
	Name         string        `json:"name,omitempty"`
	Created      time.Time     `json:"created,omitzero"`
	Config       *AppConfig    `json:"config,omitempty"`
	Hosting      *HostingApp   `json:"hosting,omitempty"`
	Removed      bool          `json:"removed,omitempty"`
	Environments []SnapshotEnv `json:"environments"`
	Jobs         []Job         `json:"jobs"`
	Tokens       []Token       `json:"tokens"`
}

// SnapshotEnv is an environment with its resources. A resource's generated
// models are exported as text (models, introspection), and compressed again
// on import.
type SnapshotEnv struct {
	Name             string     `json:"name"`
	Created          time.Time  `json:"created"`
	StackName        string     `json:"stackName,omitempty"`
	DeploymentBucket string     `json:"deploymentBucket,omitempty"`
	Pushed           time.Time  `json:"pushed,omitzero"`
	Resources        []Resource `json:"resources"`
}

// ImportMode is how an import treats the records already stored.
type ImportMode string

// Import modes: merge writes the document's records over same-keyed ones and
// keeps the others; replace first resets the document's scope (everything
// when it has none), so that the scope then holds exactly the document.
const (
	ImportMerge   ImportMode = "merge"
	ImportReplace ImportMode = "replace"
)

// Export returns the records within the scope, read in one transaction.
// Amplifylite is left for the caller to fill in.
func (s *Service) Export(ctx context.Context, sc Scope) (*Snapshot, error) {
	snap := &Snapshot{Format: SnapshotFormat, Version: SnapshotVersion, ExportedAt: s.now()}
	if sc != (Scope{}) {
		snap.Scope = &sc
	}
	err := s.store.View(ctx, func(tx Tx) error {
		snap.Partitions = []SnapshotPartition{}
		parts, err := tx.Partitions()
		if err != nil {
			return err
		}
		for _, p := range parts {
			if !sc.hasPartition(p) {
				continue
			}
			sp, err := exportPartition(tx, p, sc)
			if err != nil {
				return err
			}
			if len(sp.Apps) > 0 || len(sp.Buckets) > 0 {
				snap.Partitions = append(snap.Partitions, sp)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return snap, nil
}

func exportPartition(tx Tx, p Partition, sc Scope) (SnapshotPartition, error) {
	sp := SnapshotPartition{Account: p.Account, Region: p.Region, Apps: []SnapshotApp{}, Buckets: []Bucket{}}
	ids, err := tx.AppIDs(p)
	if err != nil {
		return sp, err
	}
	for _, id := range ids {
		if sc.AppID != "" && id != sc.AppID {
			continue
		}
		app, err := exportApp(tx, p, id)
		if err != nil {
			return sp, err
		}
		sp.Apps = append(sp.Apps, app)
	}
	buckets, err := tx.OwnedBuckets(p)
	if err != nil {
		return sp, err
	}
	for _, b := range buckets {
		if sc.hasBucket(b) {
			sp.Buckets = append(sp.Buckets, b)
		}
	}
	return sp, nil
}

func exportApp(tx Tx, p Partition, id string) (SnapshotApp, error) {
	out := SnapshotApp{ID: id, Environments: []SnapshotEnv{}}
	app, err := tx.App(p, id)
	if err != nil {
		return out, err
	}
	if app == nil {
		out.Removed = true
	} else {
		out.Name, out.Created, out.Config, out.Hosting = app.Name, app.Created, app.Config, app.Hosting
	}
	envs, err := tx.Envs(p, id)
	if err != nil {
		return out, err
	}
	for _, e := range envs {
		res, err := tx.Resources(p, id, e.Name)
		if err != nil {
			return out, err
		}
		for i := range res {
			if err := unpackForExport(&res[i]); err != nil {
				return out, err
			}
		}
		if res == nil {
			res = []Resource{}
		}
		out.Environments = append(out.Environments, SnapshotEnv{Name: e.Name, Created: e.Created, StackName: e.StackName,
			DeploymentBucket: e.DeploymentBucket, Pushed: e.Pushed, Resources: res})
	}
	if out.Jobs, err = tx.AppJobs(p, id); err != nil {
		return out, err
	}
	if out.Tokens, err = tx.Tokens(p, id); err != nil {
		return out, err
	}
	if out.Jobs == nil {
		out.Jobs = []Job{}
	}
	if out.Tokens == nil {
		out.Tokens = []Token{}
	}
	return out, nil
}

// unpackForExport shows a resource's compressed generated models as text.
func unpackForExport(r *Resource) error {
	if len(r.Generated) == 0 {
		return nil
	}
	models, intro, _, err := r.GeneratedModels()
	if err != nil {
		return err
	}
	if models == "" { // the text form could not tell it from no generation
		return nil
	}
	r.Generated, r.Models, r.Introspection = nil, models, intro
	return nil
}

// SnapshotError is a snapshot that cannot be imported; nothing was written.
type SnapshotError struct{ Message string }

func (e *SnapshotError) Error() string { return e.Message }

func snapshotErrorf(format string, args ...any) error {
	return &SnapshotError{Message: fmt.Sprintf(format, args...)}
}

// CheckSnapshotHeader refuses a document that is not a snapshot of a format
// version this release reads.
func CheckSnapshotHeader(format string, version int) error {
	switch {
	case format != SnapshotFormat:
		return snapshotErrorf("format %q is not a snapshot of amplifylite (want %q)", format, SnapshotFormat)
	case version > SnapshotVersion:
		return snapshotErrorf("the snapshot is in format version %d, written by a newer release of amplifylite; this one reads up to version %d", version, SnapshotVersion)
	case version < 1:
		return snapshotErrorf("version %d is not a snapshot format version (1 to %d)", version, SnapshotVersion)
	}
	return nil
}

// Import writes the snapshot's records in one transaction, all or none, and
// returns how many of each kind it wrote. A snapshot it cannot import is a
// *SnapshotError.
func (s *Service) Import(ctx context.Context, snap *Snapshot, mode ImportMode) (RecordCounts, error) {
	if mode == "" {
		mode = ImportMerge
	}
	if mode != ImportMerge && mode != ImportReplace {
		return RecordCounts{}, snapshotErrorf("mode must be merge or replace, not %q", mode)
	}
	if err := checkSnapshot(snap); err != nil {
		return RecordCounts{}, err
	}
	var wrote RecordCounts
	err := s.update(ctx, func(tx Tx) error {
		wrote = RecordCounts{}
		if mode == ImportReplace {
			var sc Scope
			if snap.Scope != nil {
				sc = *snap.Scope
			}
			if err := reset(tx, sc, &RecordCounts{}); err != nil {
				return err
			}
		}
		return importSnapshot(tx, snap, &wrote)
	})
	s.notify() // imported jobs may be due
	if err != nil {
		return RecordCounts{}, fmt.Errorf("import: %w", err)
	}
	return wrote, nil
}

// checkSnapshot refuses a snapshot whose records lack their keys, lie
// outside its scope or are in a newer record version.
func checkSnapshot(snap *Snapshot) error {
	if err := CheckSnapshotHeader(snap.Format, snap.Version); err != nil {
		return err
	}
	sc := Scope{}
	if snap.Scope != nil {
		sc = *snap.Scope
	}
	for i, sp := range snap.Partitions {
		where := fmt.Sprintf("partitions[%d]", i)
		if sp.Account == "" || sp.Region == "" {
			return snapshotErrorf("%s: account and region are required", where)
		}
		if !sc.hasPartition(Partition{sp.Account, sp.Region}) {
			return snapshotErrorf("%s: %s/%s is outside the snapshot's scope", where, sp.Account, sp.Region)
		}
		for j, a := range sp.Apps {
			where := fmt.Sprintf("%s.apps[%d]", where, j)
			if a.ID == "" {
				return snapshotErrorf("%s: id is required", where)
			}
			if sc.AppID != "" && a.ID != sc.AppID {
				return snapshotErrorf("%s: app %s is outside the snapshot's scope", where, a.ID)
			}
			for k, e := range a.Environments {
				if e.Name == "" {
					return snapshotErrorf("%s.environments[%d]: name is required", where, k)
				}
				for l, r := range e.Resources {
					at := fmt.Sprintf("%s.environments[%d].resources[%d]", where, k, l)
					switch r.Kind {
					case KindAuth, KindAPI, KindStorage:
					default:
						return snapshotErrorf("%s: kind must be auth, api or storage, not %q", at, r.Kind)
					}
					if err := checkVersion(at, r.V); err != nil {
						return snapshotErrorf("%v", err)
					}
				}
			}
			for k, jb := range a.Jobs {
				at := fmt.Sprintf("%s.jobs[%d]", where, k)
				if jb.ID == "" || jb.Status == "" {
					return snapshotErrorf("%s: id and status are required", at)
				}
				if err := checkVersion(at, jb.V); err != nil {
					return snapshotErrorf("%v", err)
				}
			}
			for k, t := range a.Tokens {
				if t.SessionID == "" {
					return snapshotErrorf("%s.tokens[%d]: sessionId is required", where, k)
				}
			}
		}
		for j, b := range sp.Buckets {
			if b.Name == "" {
				return snapshotErrorf("%s.buckets[%d]: name is required", where, j)
			}
		}
	}
	return nil
}

func importSnapshot(tx Tx, snap *Snapshot, wrote *RecordCounts) error {
	for _, sp := range snap.Partitions {
		p := Partition{Account: sp.Account, Region: sp.Region}
		for _, a := range sp.Apps {
			if !a.Removed {
				if err := tx.PutApp(p, &App{ID: a.ID, Name: a.Name, Created: a.Created, Config: a.Config, Hosting: a.Hosting}); err != nil {
					return err
				}
				wrote.Apps++
			}
			for _, e := range a.Environments {
				if err := tx.PutEnv(p, &Env{AppID: a.ID, Name: e.Name, Created: e.Created, StackName: e.StackName,
					DeploymentBucket: e.DeploymentBucket, Pushed: e.Pushed}); err != nil {
					return err
				}
				wrote.Environments++
				for _, r := range e.Resources {
					r.AppID, r.Env = a.ID, e.Name
					if r.Models != "" && len(r.Generated) == 0 {
						packed, err := packGenerated(r.Models, r.Introspection)
						if err != nil {
							return err
						}
						r.setGenerated(packed, r.ModelsSchemaHash)
					}
					if err := tx.PutResource(p, &r); err != nil {
						return err
					}
					wrote.Resources++
				}
			}
			for _, j := range a.Jobs {
				j.AppID = a.ID
				if err := tx.PutJob(p, &j); err != nil {
					return err
				}
				wrote.Jobs++
			}
			for _, t := range a.Tokens {
				t.AppID = a.ID
				if err := tx.PutToken(p, &t); err != nil {
					return err
				}
				wrote.Tokens++
			}
		}
		for _, b := range sp.Buckets {
			if err := tx.PutBucket(p, &b); err != nil {
				return err
			}
			wrote.Buckets++
		}
	}
	return nil
}

// Empty reports whether the store holds no record of any partition (shared
// buckets aside): what serve --seed checks before importing.
func (s *Service) Empty(ctx context.Context) (bool, error) {
	var empty bool
	err := s.store.View(ctx, func(tx Tx) error {
		parts, err := tx.Partitions()
		empty = len(parts) == 0
		return err
	})
	return empty, err
}
