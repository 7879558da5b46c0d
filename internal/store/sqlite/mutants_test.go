package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// Tests written for mutants that survived `make mutate` (docs/MUTANTS.md).

// TestDueJobs_NoLimit: a limit of zero or less lists every due job.
func TestDueJobs_NoLimit(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err = s.Update(ctx, func(tx backend.Tx) error {
		for i := range 3 {
			err := tx.PutJob(pt, &backend.Job{ID: fmt.Sprint("j", i), AppID: "a", Envs: []string{"dev"}, Kind: "Op", Operation: "Op",
				Status: backend.StatusRunning, Created: now, Updated: now, Due: now, Payload: json.RawMessage(`{}`)})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{0, -1} {
		err := s.View(ctx, func(tx backend.Tx) error {
			refs, err := tx.DueJobs(now, limit)
			if len(refs) != 3 {
				t.Errorf("DueJobs(now, %d): %d jobs, want all 3", limit, len(refs))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestUpdate_BatchTakesAtMostMaxBatch: with batches of 2, five Updates queued
// at once commit in three write transactions.
func TestUpdate_BatchTakesAtMostMaxBatch(t *testing.T) {
	ctx := context.Background()
	s := openBatching(t, 2)
	before := sqlite.Batches(s)
	release := hold(t, s)
	var queued []<-chan outcome
	for _, id := range []string{"a", "b", "c", "d"} {
		queued = append(queued, enqueue(t, s, ctx, putApp(id)))
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	for _, ch := range queued {
		if o := <-ch; o.err != nil || o.panicked != nil || o.exited {
			t.Fatalf("queued Update: %+v", o)
		}
	}
	if n := sqlite.Batches(s) - before; n != 3 {
		t.Errorf("%d write transactions, want 3", n)
	}
}
