package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// job is a job of app "a" created at ms, listed under envs.
func job(id string, ms int, status, op string, envs ...string) backend.Job {
	return backend.Job{
		ID: id, AppID: "a", Envs: envs, Kind: op, Operation: op, Status: status,
		Created: at(ms), Updated: at(ms), Due: at(ms + 1000),
		Payload: json.RawMessage(`{"id":"` + id + `"}`),
	}
}

func ids(js []backend.Job) []string {
	out := []string{}
	for _, j := range js {
		out = append(out, j.ID)
	}
	return out
}

func putJobs(f *fixture, p backend.Partition, js ...backend.Job) {
	f.t.Helper()
	f.update(func(tx backend.Tx) error {
		for i := range js {
			if err := tx.PutJob(p, &js[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func listJobs(f *fixture, p backend.Partition, env string, q backend.JobQuery) []backend.Job {
	f.t.Helper()
	var js []backend.Job
	f.view(func(tx backend.Tx) (err error) {
		js, err = tx.Jobs(p, "a", env, q)
		return err
	})
	return js
}

func testJobs(t *testing.T, h Harness) {
	const run, done, failed = backend.StatusRunning, backend.StatusCompleted, backend.StatusFailed
	t.Run("PutGet", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		want := job("j1", 1, run, "CreateBackend", "dev")
		want.Kind, want.Error = "create", "boom"
		putJobs(f, p1, want)
		f.view(func(tx backend.Tx) error {
			got, err := tx.Job(p1, "a", "j1")
			check(t, err)
			same(t, "Job", got, &want)
			for _, k := range [][2]string{{"a", "nope"}, {"b", "j1"}} {
				got, err := tx.Job(p1, k[0], k[1])
				check(t, err)
				if got != nil {
					t.Errorf("Job(%s, %s) = %+v, want nil", k[0], k[1], got)
				}
			}
			return nil
		})
		want.Status, want.Operation, want.Updated, want.Error = failed, "Renamed", at(99), "bad"
		putJobs(f, p1, want)
		f.view(func(tx backend.Tx) error {
			got, err := tx.Job(p1, "a", "j1")
			check(t, err)
			same(t, "Job after update", got, &want)
			return nil
		})
		if got := ids(listJobs(f, p1, "dev", backend.JobQuery{})); fmt.Sprint(got) != "[j1]" {
			t.Errorf("updated job listed as %v, want once", got)
		}
	})
	t.Run("NoPayload", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		want := job("j1", 1, run, "Op", "dev")
		want.Payload = nil
		putJobs(f, p1, want)
		f.view(func(tx backend.Tx) error {
			got, err := tx.Job(p1, "a", "j1")
			check(t, err)
			if got == nil || got.Payload != nil {
				t.Errorf("Job without payload = %+v, want Payload nil", got)
			}
			got, err = tx.RunningJob(p1, "a", "dev")
			check(t, err)
			if got == nil || got.Payload != nil {
				t.Errorf("RunningJob without payload = %+v, want Payload nil", got)
			}
			return nil
		})
	})
	t.Run("Order", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		// Equal creation times are ordered by id.
		putJobs(f, p1, job("c", 2, run, "Op", "dev"), job("b", 1, done, "Op", "dev"), job("a", 2, done, "Op", "dev"),
			job("z", 0, done, "Op", "dev"), job("x", 5, done, "Op", "prod"))
		got := listJobs(f, p1, "dev", backend.JobQuery{})
		if want := "[z b a c]"; fmt.Sprint(ids(got)) != want {
			t.Errorf("Jobs = %v, want %s", ids(got), want)
		}
		listed := job("b", 1, done, "Op", "dev")
		listed.Payload = nil // listings do not read payloads
		same(t, "listed job", got[1], listed)
		if got := listJobs(f, p1, "none", backend.JobQuery{}); len(got) != 0 {
			t.Errorf("Jobs(env without jobs) = %v, want none", ids(got))
		}
	})
	t.Run("Pages", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		var all []backend.Job
		for i := range 23 {
			all = append(all, job(fmt.Sprintf("j%02d", 22-i), i/3, done, "Op", "dev"))
		}
		putJobs(f, p1, all...)
		want := ids(listJobs(f, p1, "dev", backend.JobQuery{}))
		if len(want) != 23 {
			t.Fatalf("unpaged list has %d jobs, want 23", len(want))
		}
		for _, limit := range []int{1, 4, 5, 23, 50} {
			var got []string
			q := backend.JobQuery{Limit: limit}
			for page := 0; ; page++ {
				if page > 30 {
					t.Fatalf("limit %d: pages never end", limit)
				}
				js := listJobs(f, p1, "dev", q)
				if len(js) > limit {
					t.Fatalf("limit %d: page of %d", limit, len(js))
				}
				got = append(got, ids(js)...)
				if len(js) < limit {
					break
				}
				last := js[len(js)-1]
				q.After = &backend.JobCursor{Created: last.Created, JobID: last.ID}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("limit %d: pages = %v, want %v", limit, got, want)
			}
		}
		// A cursor need not name an existing job.
		got := ids(listJobs(f, p1, "dev", backend.JobQuery{After: &backend.JobCursor{Created: at(6), JobID: "j01"}, Limit: 3}))
		if fmt.Sprint(got) != "[j02 j03 j04]" {
			t.Errorf("after (6ms, j01) = %v, want [j02 j03 j04]", got)
		}
	})
	t.Run("Filters", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		putJobs(f, p1,
			job("j1", 1, done, "CreateBackend", "dev"), job("j2", 2, run, "CreateBackendAuth", "dev"),
			job("j3", 3, failed, "CreateBackendAuth", "dev"), job("j4", 4, run, "CreateBackendAuth", "dev"),
			job("j5", 5, done, "CreateBackendAuth", "dev"), job("j6", 6, run, "CreateBackendAuth", "prod"))
		after := func(ms int, id string) *backend.JobCursor { return &backend.JobCursor{Created: at(ms), JobID: id} }
		for _, tc := range []struct {
			q    backend.JobQuery
			want string
		}{
			{backend.JobQuery{JobID: "j3"}, "[j3]"},
			{backend.JobQuery{JobID: "j6"}, "[]"}, // listed under prod only
			{backend.JobQuery{JobID: "nope"}, "[]"},
			{backend.JobQuery{JobID: "j3", After: after(3, "j3")}, "[]"},
			{backend.JobQuery{Operation: "CreateBackendAuth"}, "[j2 j3 j4 j5]"},
			{backend.JobQuery{Status: run}, "[j2 j4]"},
			{backend.JobQuery{Status: done, Operation: "CreateBackendAuth"}, "[j5]"},
			{backend.JobQuery{Operation: "CreateBackendAuth", After: after(2, "j2"), Limit: 2}, "[j3 j4]"},
			{backend.JobQuery{Status: run, JobID: "j4"}, "[j4]"},
			{backend.JobQuery{Status: done, JobID: "j4"}, "[]"},
			{backend.JobQuery{Operation: "Nope"}, "[]"},
		} {
			if got := fmt.Sprint(ids(listJobs(f, p1, "dev", tc.q))); got != tc.want {
				t.Errorf("Jobs(%+v) = %s, want %s", tc.q, got, tc.want)
			}
		}
		// Filters see updates.
		j := job("j2", 2, done, "UpdatedOp", "dev")
		putJobs(f, p1, j)
		if got := fmt.Sprint(ids(listJobs(f, p1, "dev", backend.JobQuery{Status: run}))); got != "[j4]" {
			t.Errorf("running after update = %s, want [j4]", got)
		}
		if got := fmt.Sprint(ids(listJobs(f, p1, "dev", backend.JobQuery{Operation: "UpdatedOp"}))); got != "[j2]" {
			t.Errorf("operation after update = %s, want [j2]", got)
		}
	})
	t.Run("SeveralEnvs", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		putJobs(f, p1, job("j1", 1, done, "Op", "dev"), job("clone", 2, run, "CloneBackend", "dev", "copy"), job("j3", 3, done, "Op", "copy"))
		for env, want := range map[string]string{"dev": "[j1 clone]", "copy": "[clone j3]"} {
			if got := fmt.Sprint(ids(listJobs(f, p1, env, backend.JobQuery{}))); got != want {
				t.Errorf("Jobs(%s) = %s, want %s", env, got, want)
			}
			if got := fmt.Sprint(ids(listJobs(f, p1, env, backend.JobQuery{JobID: "clone"}))); got != "[clone]" {
				t.Errorf("Jobs(%s, JobID clone) = %s, want [clone]", env, got)
			}
		}
		f.view(func(tx backend.Tx) error {
			for _, env := range []string{"dev", "copy"} {
				has, err := tx.HasJobs(p1, "a", env)
				check(t, err)
				r, err := tx.RunningJob(p1, "a", env)
				check(t, err)
				if !has || r == nil || r.ID != "clone" {
					t.Errorf("env %s: HasJobs = %v, RunningJob = %+v; want true, clone", env, has, r)
				}
				if r != nil {
					same(t, "RunningJob", r, job("clone", 2, run, "CloneBackend", "dev", "copy"))
				}
			}
			return nil
		})
	})
	t.Run("RunningAndHasJobs", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		running := func(env string) (string, bool) {
			var id string
			var has bool
			f.view(func(tx backend.Tx) error {
				j, err := tx.RunningJob(p1, "a", env)
				check(t, err)
				if j != nil {
					id = j.ID
				}
				has, err = tx.HasJobs(p1, "a", env)
				return err
			})
			return id, has
		}
		if id, has := running("dev"); id != "" || has {
			t.Errorf("empty env: RunningJob %q, HasJobs %v; want none, false", id, has)
		}
		putJobs(f, p1, job("j1", 1, done, "Op", "dev"), job("j2", 2, failed, "Op", "dev"), job("r", 3, run, "Op", "prod"))
		putJobs(f, p2, job("r2", 3, run, "Op", "dev"))
		if id, has := running("dev"); id != "" || !has {
			t.Errorf("finished jobs only: RunningJob %q, HasJobs %v; want none, true", id, has)
		}
		putJobs(f, p1, job("j4", 4, run, "Op", "dev"))
		if id, _ := running("dev"); id != "j4" {
			t.Errorf("RunningJob = %q, want j4", id)
		}
		putJobs(f, p1, job("j4", 4, done, "Op", "dev"))
		if id, _ := running("dev"); id != "" {
			t.Errorf("RunningJob after completion = %q, want none", id)
		}
	})
}

func testDueJobs(t *testing.T, h Harness) {
	f := open(t, h)
	due := func(id string, ms int, status string) backend.Job {
		j := job(id, 0, status, "Op", "dev")
		j.Due = at(ms)
		return j
	}
	refs := func(now time.Time, limit int) string {
		var out []string
		f.view(func(tx backend.Tx) error {
			rs, err := tx.DueJobs(now, limit)
			for _, r := range rs {
				out = append(out, fmt.Sprintf("%s/%s/%s/%s", r.Partition.Account[:1], r.Partition.Region, r.AppID, r.JobID))
			}
			return err
		})
		return fmt.Sprint(out)
	}
	next := func() (time.Time, bool) {
		var tm time.Time
		var ok bool
		f.view(func(tx backend.Tx) (err error) {
			tm, ok, err = tx.NextDue()
			return err
		})
		return tm, ok
	}
	if tm, ok := next(); ok {
		t.Errorf("NextDue on empty store = %v, true; want false", tm)
	}
	if got := refs(at(1e6), 10); got != "[]" {
		t.Errorf("DueJobs on empty store = %s", got)
	}
	putJobs(f, p1, due("late", 300, backend.StatusRunning), due("done", 50, backend.StatusCompleted), due("soon", 100, backend.StatusRunning))
	putJobs(f, p2, due("p2", 200, backend.StatusRunning), due("failed", 10, backend.StatusFailed))
	putJobs(f, p3, due("p3", 150, backend.StatusRunning))

	for _, tc := range []struct {
		now   int
		limit int
		want  string
	}{
		{99, 10, "[]"},
		{100, 10, "[1/us-east-1/a/soon]"}, // at or before now
		{250, 10, "[1/us-east-1/a/soon 1/eu-west-1/a/p3 2/us-east-1/a/p2]"},
		{1000, 2, "[1/us-east-1/a/soon 1/eu-west-1/a/p3]"},
		{1000, 10, "[1/us-east-1/a/soon 1/eu-west-1/a/p3 2/us-east-1/a/p2 1/us-east-1/a/late]"},
	} {
		if got := refs(at(tc.now), tc.limit); got != tc.want {
			t.Errorf("DueJobs(%dms, %d) = %s, want %s", tc.now, tc.limit, got, tc.want)
		}
	}
	if tm, ok := next(); !ok || !tm.Equal(at(100)) {
		t.Errorf("NextDue = %v, %v; want %v, true", tm, ok, at(100))
	}
	putJobs(f, p1, due("soon", 100, backend.StatusCompleted))
	if tm, ok := next(); !ok || !tm.Equal(at(150)) {
		t.Errorf("NextDue after completion = %v, %v; want %v, true", tm, ok, at(150))
	}
	putJobs(f, p3, due("p3", 120, backend.StatusRunning)) // rescheduled sooner
	if tm, ok := next(); !ok || !tm.Equal(at(120)) {
		t.Errorf("NextDue after reschedule = %v, %v; want %v, true", tm, ok, at(120))
	}
}

// testDueJobsNoLimit: a limit of zero or less lists every due job.
func testDueJobsNoLimit(t *testing.T, h Harness) {
	f := open(t, h)
	f.update(func(tx backend.Tx) error {
		for i := range 3 {
			j := job(fmt.Sprint("j", i), 1, backend.StatusRunning, "Op", "dev")
			check(t, tx.PutJob(p1, &j))
		}
		return nil
	})
	f.view(func(tx backend.Tx) error {
		for _, limit := range []int{0, -1} {
			refs, err := tx.DueJobs(at(1_000_000), limit)
			check(t, err)
			if len(refs) != 3 {
				t.Errorf("DueJobs(limit %d): %d jobs, want all 3", limit, len(refs))
			}
		}
		return nil
	})
}

// testAddUpdateJob: AddJob lists a new job under its environments, and
// UpdateJob's changes (status, operation, times) show in the listing and its
// filters exactly as PutJob's do.
func testAddUpdateJob(t *testing.T, h Harness) {
	f := open(t, h)
	j := job("j1", 10, backend.StatusRunning, "CreateBackendAPI", "dev", "prod")
	f.update(func(tx backend.Tx) error { return tx.AddJob(p1, &j) })
	listed := func(env string, q backend.JobQuery) []string {
		var got []string
		f.view(func(tx backend.Tx) error {
			js, err := tx.Jobs(p1, "a", env, q)
			check(t, err)
			got = ids(js)
			return nil
		})
		return got
	}
	for _, env := range []string{"dev", "prod"} {
		if got := listed(env, backend.JobQuery{Status: backend.StatusRunning, Limit: 10}); !slices.Equal(got, []string{"j1"}) {
			t.Errorf("RUNNING jobs under %s after AddJob = %v", env, got)
		}
	}
	f.update(func(tx backend.Tx) error {
		got, err := tx.Job(p1, "a", "j1")
		check(t, err)
		got.Status, got.Operation, got.Updated = backend.StatusCompleted, "UpdateBackendAPI", at(20)
		return tx.UpdateJob(p1, got)
	})
	for _, env := range []string{"dev", "prod"} {
		if got := listed(env, backend.JobQuery{Status: backend.StatusRunning, Limit: 10}); len(got) != 0 {
			t.Errorf("RUNNING jobs under %s after UpdateJob = %v, want none", env, got)
		}
		if got := listed(env, backend.JobQuery{Status: backend.StatusCompleted, Operation: "UpdateBackendAPI", Limit: 10}); !slices.Equal(got, []string{"j1"}) {
			t.Errorf("COMPLETED UpdateBackendAPI jobs under %s after UpdateJob = %v", env, got)
		}
	}
	f.view(func(tx backend.Tx) error {
		got, err := tx.Job(p1, "a", "j1")
		check(t, err)
		if got == nil || got.Status != backend.StatusCompleted || !got.Updated.Equal(at(20)) || !got.Created.Equal(at(10)) {
			t.Errorf("Job after UpdateJob = %+v", got)
		}
		running, err := tx.RunningJob(p1, "a", "dev")
		check(t, err)
		if running != nil {
			t.Errorf("RunningJob after UpdateJob = %+v, want none", running)
		}
		return nil
	})
}
