package sqlite_test

import (
	"context"
	"testing"

	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// Tests written for mutants that survived `make mutate` (docs/MUTANTS.md).

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
