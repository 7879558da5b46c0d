package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// TestOnCommit_TellsCommittedUpdates: the hook hears of each Update that
// committed, with its duration and a batch of 1, and not of one whose fn
// failed.
func TestOnCommit_TellsCommittedUpdates(t *testing.T) {
	s := open(t, newSchema(t))
	defer s.Close()
	var got []time.Duration
	s.OnCommit = func(d time.Duration, batch int, err error) {
		if batch != 1 || err != nil {
			t.Errorf("OnCommit(%v, %d, %v)", d, batch, err)
		}
		got = append(got, d)
	}
	if err := s.Update(context.Background(), func(tx backend.Tx) error { return putRetryApp(tx, "observed") }); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(context.Background(), func(tx backend.Tx) error { return errors.New("refused") }); err == nil {
		t.Fatal("fn's error was lost")
	}
	if len(got) != 1 || got[0] <= 0 {
		t.Errorf("got %v, want one positive duration", got)
	}
}
