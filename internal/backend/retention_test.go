package backend_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// TestPurgeFinishedJobs plants more finished jobs than one purge
// transaction takes, old and recent, and a long-running one, and checks
// that every old finished job goes and nothing else does.
func TestPurgeFinishedJobs(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc, err := backend.New(ctx, store, backend.Config{})
	if err != nil {
		t.Fatal(err)
	}
	p := backend.Partition{Account: "000000000000", Region: "us-east-1"}
	cutoff := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	const old = 1234 // more than two transactions' worth
	err = store.Update(ctx, func(tx backend.Tx) error {
		if err := tx.PutApp(p, &backend.App{ID: "a", Name: "a"}); err != nil {
			return err
		}
		if err := tx.PutEnv(p, &backend.Env{AppID: "a", Name: "dev"}); err != nil {
			return err
		}
		put := func(id, status string, updated time.Time) error {
			return tx.PutJob(p, &backend.Job{ID: id, AppID: "a", Envs: []string{"dev"}, Kind: "CreateBackend", Operation: "CreateBackend",
				Status: status, Created: updated.Add(-time.Hour), Updated: updated, Due: updated})
		}
		for i := range old {
			status := backend.StatusCompleted
			if i%3 == 0 {
				status = backend.StatusFailed
			}
			if err := put(fmt.Sprintf("old-%04d", i), status, cutoff.Add(-time.Duration(i+1)*time.Minute)); err != nil {
				return err
			}
		}
		if err := put("recent", backend.StatusCompleted, cutoff); err != nil {
			return err
		}
		return put("running", backend.StatusRunning, cutoff.Add(-24*time.Hour))
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := svc.PurgeFinishedJobs(ctx, cutoff)
	if err != nil || n != old {
		t.Fatalf("PurgeFinishedJobs = %d, %v; want %d", n, err, old)
	}
	out, err := svc.ListBackendJobs(ctx, p, &ab.ListBackendJobsRequest{AppId: ab.String("a"), BackendEnvironmentName: ab.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range out.Jobs {
		got = append(got, *j.JobId)
	}
	if fmt.Sprint(got) != "[running recent]" {
		t.Errorf("jobs left = %v, want [running recent]", got)
	}
	if n, err := svc.PurgeFinishedJobs(ctx, cutoff); err != nil || n != 0 {
		t.Errorf("second purge = %d, %v; want 0", n, err)
	}
}
