package storetest

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// partitionTags names the partitions whose contents testIsolatedContents
// tells apart: p1 and p2 differ only in the account, p1 and p3 only in the
// region.
var partitionTags = map[backend.Partition]string{p1: "p1", p2: "p2", p3: "p3"}

// putTagged writes records under the same keys into every partition, each
// with contents (and a number of jobs) of its own, so that a getter or listing
// that ignores a part of the partition answers another partition's contents.
func putTagged(t *testing.T, tx backend.Tx, p backend.Partition, tag string, jobs int) {
	t.Helper()
	check(t, tx.PutApp(p, &backend.App{ID: "a", Name: tag, Created: at(1)}))
	check(t, tx.PutEnv(p, &backend.Env{AppID: "a", Name: "dev", Created: at(1)}))
	check(t, tx.PutEnv(p, &backend.Env{AppID: "a", Name: "only-" + tag, Created: at(2)}))
	check(t, tx.PutResource(p, &backend.Resource{AppID: "a", Env: "dev", Kind: backend.KindAPI, Name: "api",
		Config: json.RawMessage(`{"tag":"` + tag + `"}`), Created: at(1)}))
	check(t, tx.PutResource(p, &backend.Resource{AppID: "a", Env: "dev", Kind: backend.KindAuth, Name: "auth-" + tag,
		Config: json.RawMessage(`{}`), Created: at(1)}))
	for i := range jobs {
		status := backend.StatusCompleted
		if i == 0 {
			status = backend.StatusRunning
		}
		j := job(fmt.Sprintf("j%d", i+1), 10+i, status, "Op-"+tag, "dev")
		check(t, tx.PutJob(p, &j))
	}
	only := job("only-"+tag, 50, backend.StatusCompleted, "Op-"+tag, "only-"+tag)
	check(t, tx.PutJob(p, &only))
	check(t, tx.PutToken(p, &backend.Token{AppID: "a", SessionID: "s", Code: tag, Expires: at(1)}))
	check(t, tx.PutBucket(p, &backend.Bucket{Name: "bucket-" + tag, Created: at(1)}))
}

func testIsolatedContents(t *testing.T, h Harness) {
	f := open(t, h)
	jobsIn := map[backend.Partition]int{p1: 1, p2: 2, p3: 3}
	f.update(func(tx backend.Tx) error {
		for p, tag := range partitionTags {
			putTagged(t, tx, p, tag, jobsIn[p])
		}
		return nil
	})
	f.view(func(tx backend.Tx) error {
		for p, tag := range partitionTags {
			checkTagged(t, tx, p, tag, jobsIn[p])
		}
		// Due jobs of every partition come with the partition they belong to.
		due, err := tx.DueJobs(at(1_000_000), 100)
		check(t, err)
		if len(due) != len(partitionTags) {
			t.Errorf("DueJobs: %d jobs, want one RUNNING job per partition", len(due))
		}
		for _, ref := range due {
			j, err := tx.Job(ref.Partition, ref.AppID, ref.JobID)
			check(t, err)
			if j == nil || j.Operation != "Op-"+partitionTags[ref.Partition] {
				t.Errorf("DueJobs: %+v addresses %+v", ref, j)
			}
		}
		return nil
	})
}

// checkTagged checks that every getter and listing of p answers p's contents.
func checkTagged(t *testing.T, tx backend.Tx, p backend.Partition, tag string, jobs int) {
	t.Helper()
	errorf := func(format string, args ...any) { t.Helper(); t.Errorf("%s: "+format, append([]any{tag}, args...)...) }
	if a, err := tx.App(p, "a"); err != nil || a == nil || a.Name != tag {
		errorf("App = %+v, %v", a, err)
	}
	envs, err := tx.Envs(p, "a")
	check(t, err)
	if len(envs) != 2 || envs[1].Name != "only-"+tag {
		errorf("Envs = %+v", envs)
	}
	for other, otherTag := range partitionTags {
		if other == p {
			continue
		}
		if e, err := tx.Env(p, "a", "only-"+otherTag); err != nil || e != nil {
			errorf("Env of %s = %+v, %v", otherTag, e, err)
		}
		if has, err := tx.HasJobs(p, "a", "only-"+otherTag); err != nil || has {
			errorf("HasJobs of %s's environment = %v, %v", otherTag, has, err)
		}
		if r, err := tx.Resource(p, "a", "dev", backend.KindAuth, "auth-"+otherTag); err != nil || r != nil {
			errorf("Resource of %s = %+v, %v", otherTag, r, err)
		}
		if j, err := tx.Job(p, "a", "only-"+otherTag); err != nil || j != nil {
			errorf("Job of %s = %+v, %v", otherTag, j, err)
		}
	}
	rs, err := tx.Resources(p, "a", "dev")
	check(t, err)
	if len(rs) != 2 || string(rs[0].Config) != `{"tag":"`+tag+`"}` || rs[1].Name != "auth-"+tag {
		errorf("Resources = %+v", rs)
	}
	if r, err := tx.Resource(p, "a", "dev", backend.KindAPI, ""); err != nil || r == nil || string(r.Config) != `{"tag":"`+tag+`"}` {
		errorf("Resource(api, first) = %+v, %v", r, err)
	}
	if j, err := tx.Job(p, "a", "j1"); err != nil || j == nil || j.Operation != "Op-"+tag {
		errorf("Job(j1) = %+v, %v", j, err)
	}
	for _, q := range []backend.JobQuery{{}, {Operation: "Op-" + tag}, {Status: backend.StatusCompleted}, {Limit: 100}} {
		js, err := tx.Jobs(p, "a", "dev", q)
		check(t, err)
		want := jobs
		if q.Status == backend.StatusCompleted {
			want = jobs - 1
		}
		if len(js) != want {
			errorf("Jobs(%+v): %d jobs, want %d", q, len(js), want)
		}
		for _, j := range js {
			if j.Operation != "Op-"+tag {
				errorf("Jobs(%+v) lists %+v", q, j)
			}
		}
	}
	for _, other := range partitionTags {
		if other == tag {
			continue
		}
		if js, err := tx.Jobs(p, "a", "dev", backend.JobQuery{Operation: "Op-" + other}); err != nil || len(js) != 0 {
			errorf("Jobs of %s's operation: %+v, %v", other, js, err)
		}
	}
	if rj, err := tx.RunningJob(p, "a", "dev"); err != nil || rj == nil || rj.Operation != "Op-"+tag {
		errorf("RunningJob = %+v, %v", rj, err)
	}
	if tok, err := tx.Token(p, "a", "s"); err != nil || tok == nil || tok.Code != tag {
		errorf("Token = %+v, %v", tok, err)
	}
	bs, err := tx.Buckets(p)
	check(t, err)
	if len(bs) != 1 || bs[0].Name != "bucket-"+tag {
		errorf("Buckets = %+v", bs)
	}
}
