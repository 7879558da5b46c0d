package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// TestOnCommit_TellsEachBatch: the hook hears of every batch once, with the
// Updates it held and how long its COMMIT took: the Updates queued behind a
// held writer join its batch, and one whose fn fails is still a member.
func TestOnCommit_TellsEachBatch(t *testing.T) {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sqlite.SetBatchLimits(s, 128, time.Hour) // the batch stays open while the test queues Updates
	type commit struct {
		d     time.Duration
		batch int
		err   error
	}
	var mu sync.Mutex
	var got []commit
	s.OnCommit = func(d time.Duration, batch int, err error) {
		mu.Lock()
		got = append(got, commit{d, batch, err})
		mu.Unlock()
	}
	put := func(tx backend.Tx) error {
		return tx.PutApp(pt, &backend.App{ID: "a", Name: "a", Created: time.UnixMilli(1)})
	}
	if err := s.Update(context.Background(), put); err != nil {
		t.Fatal(err)
	}

	release := hold(t, s)
	var queued []<-chan outcome
	for range 3 {
		queued = append(queued, enqueue(t, s, context.Background(), put))
	}
	queued = append(queued, enqueue(t, s, context.Background(), func(backend.Tx) error { return errors.New("refused") }))
	if err := release(); err != nil {
		t.Fatal(err)
	}
	for _, ch := range queued {
		<-ch
	}

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("got %d commits, want 2 (one alone, then the holder with the four queued): %+v", len(got), got)
	}
	for i, want := range []int{1, 5} {
		if got[i].batch != want || got[i].err != nil || got[i].d <= 0 {
			t.Errorf("commit %d: %+v, want a batch of %d, no error, a duration", i, got[i], want)
		}
	}
}
