package storetest

import (
	"fmt"
	"testing"

	"github.com/amplifylite/amplifylite/internal/backend"
)

func testPurgeJobs(t *testing.T, h Harness) {
	const run, done, failed = backend.StatusRunning, backend.StatusCompleted, backend.StatusFailed
	f := open(t, h)
	purge := func(before, limit int) int {
		t.Helper()
		var n int
		f.update(func(tx backend.Tx) (err error) {
			n, err = tx.PurgeJobs(at(before), limit)
			return err
		})
		return n
	}
	listed := func(p backend.Partition, env string) string {
		t.Helper()
		return fmt.Sprint(ids(listJobs(f, p, env, backend.JobQuery{})))
	}
	// Updated at the ms given: old ones before 100, new ones at or after.
	putJobs(f, p1, job("old-done", 10, done, "Op", "dev"), job("old-failed", 20, failed, "Op", "dev"),
		job("old-running", 5, run, "Op", "dev"), job("new-done", 100, done, "Op", "dev"),
		job("old-clone", 30, done, "CloneBackend", "dev", "copy"), job("older-done", 1, done, "Op", "prod"))
	putJobs(f, p2, job("p2-old", 15, done, "Op", "dev"))
	// A job created long ago but updated recently is kept.
	renamed := job("renamed", 0, done, "Op", "dev")
	renamed.Updated = at(150)
	putJobs(f, p1, renamed)

	if n := purge(100, 0); n != 0 {
		t.Errorf("PurgeJobs(limit 0) = %d, want 0", n)
	}
	// Least recently updated first, across partitions: older-done (1),
	// old-done (10), then p2-old (15).
	if n := purge(100, 2); n != 2 {
		t.Errorf("PurgeJobs(limit 2) = %d, want 2", n)
	}
	if got := listed(p1, "prod"); got != "[]" {
		t.Errorf("prod after the first batch = %s, want []", got)
	}
	if got := listed(p1, "dev"); got != "[renamed old-running old-failed old-clone new-done]" {
		t.Errorf("dev after the first batch = %s", got)
	}
	if got := listed(p2, "dev"); got != "[p2-old]" {
		t.Errorf("p2's dev after the first batch = %s, want [p2-old]", got)
	}
	if n := purge(100, 10); n != 3 {
		t.Errorf("PurgeJobs(limit 10) = %d, want the 3 left", n)
	}
	if n := purge(100, 10); n != 0 {
		t.Errorf("PurgeJobs again = %d, want 0", n)
	}
	for _, tc := range []struct {
		p    backend.Partition
		env  string
		want string
	}{
		{p1, "dev", "[renamed old-running new-done]"},
		{p1, "copy", "[]"},
		{p1, "prod", "[]"},
		{p2, "dev", "[]"},
	} {
		if got := listed(tc.p, tc.env); got != tc.want {
			t.Errorf("%s/%s after the purge = %s, want %s", tc.p.Account, tc.env, got, tc.want)
		}
	}
	f.view(func(tx backend.Tx) error {
		for _, id := range []string{"old-done", "old-failed", "old-clone", "older-done"} {
			if j, err := tx.Job(p1, "a", id); err != nil || j != nil {
				t.Errorf("Job(%s) after the purge = %+v, %v; want nil", id, j, err)
			}
		}
		for _, env := range []string{"copy", "prod"} {
			if has, err := tx.HasJobs(p1, "a", env); err != nil || has {
				t.Errorf("HasJobs(%s) after the purge = %v, %v; want false", env, has, err)
			}
		}
		if j, err := tx.RunningJob(p1, "a", "dev"); err != nil || j == nil || j.ID != "old-running" {
			t.Errorf("RunningJob after the purge = %+v, %v; want old-running", j, err)
		}
		return nil
	})
	// A purged job's id can be used again.
	putJobs(f, p1, job("old-done", 200, done, "Op", "dev"))
	if got := listed(p1, "dev"); got != "[renamed old-running new-done old-done]" {
		t.Errorf("dev after a purged id is reused = %s", got)
	}
}
