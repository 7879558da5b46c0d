package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// Tests written for mutants that survived `make mutate` (docs/MUTANTS.md).

// TestDueJobs_NoLimit: a limit of zero or less lists every due job.
func TestDueJobs_NoLimit(t *testing.T) {
	ctx := context.Background()
	s := open(t, newSchema(t))
	t.Cleanup(func() { s.Close() })
	p := backend.Partition{Account: "111111111111", Region: "us-east-1"}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err := s.Update(ctx, func(tx backend.Tx) error {
		for i := range 3 {
			err := tx.PutJob(p, &backend.Job{ID: fmt.Sprint("j", i), AppID: "a", Envs: []string{"dev"}, Kind: "Op", Operation: "Op",
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
