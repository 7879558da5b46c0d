package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/postgres"
)

var retryPartition = backend.Partition{Account: "111111111111", Region: "us-east-1"}

func putRetryApp(tx backend.Tx, id string) error {
	return tx.PutApp(retryPartition, &backend.App{ID: id, Name: id, Created: time.UnixMilli(1).UTC()})
}

func appExists(t *testing.T, s *postgres.Store, id string) bool {
	t.Helper()
	var a *backend.App
	if err := s.View(context.Background(), func(tx backend.Tx) (err error) { a, err = tx.App(retryPartition, id); return err }); err != nil {
		t.Fatal(err)
	}
	return a != nil
}

// TestUpdate_RetriesConflicts: an Update aborted for a conflict runs again
// from scratch; one that keeps conflicting gives up after 20 runs with
// nothing written; a context ended during the back-off ends the Update.
func TestUpdate_RetriesConflicts(t *testing.T) {
	s := open(t, newSchema(t))
	defer s.Close()

	t.Run("until it goes through", func(t *testing.T) {
		runs := 0
		err := s.Update(context.Background(), func(tx backend.Tx) error {
			runs++
			if err := putRetryApp(tx, "retried"); err != nil {
				return err
			}
			if runs <= 3 {
				return postgres.Conflict(tx)
			}
			return nil
		})
		if err != nil || runs != 4 {
			t.Fatalf("Update = %v after %d runs, want nil after 4", err, runs)
		}
		if !appExists(t, s, "retried") {
			t.Error("the write of the run that went through is missing")
		}
	})

	t.Run("gives up after 20", func(t *testing.T) {
		runs := 0
		err := s.Update(context.Background(), func(tx backend.Tx) error {
			runs++
			if err := putRetryApp(tx, "never"); err != nil {
				return err
			}
			return postgres.Conflict(tx)
		})
		if err == nil || !strings.Contains(err.Error(), "20 conflicting attempts") || runs != 20 {
			t.Fatalf("Update = %v after %d runs, want giving up after 20", err, runs)
		}
		// A retryable TooManyRequestsException for the client, not a 500.
		var be *backend.Error
		if !errors.As(err, &be) || be.Kind != backend.TooManyRequests || be.LimitType != backend.LimitConcurrentUpdates ||
			strings.Contains(be.Message, "conflicting attempts") {
			t.Errorf("Update = %#v, want a TooManyRequests backend.Error whose message leaves the cause out", err)
		}
		if appExists(t, s, "never") {
			t.Error("a conflicting run's write was kept")
		}
	})

	t.Run("cancelled during the back-off", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		runs := 0
		err := s.Update(ctx, func(tx backend.Tx) error {
			runs++
			cancel() // the conflict below sends Update into its back-off, where it sees this
			return postgres.Conflict(tx)
		})
		if !errors.Is(err, context.Canceled) || runs != 1 {
			t.Fatalf("Update = %v after %d runs, want context.Canceled after 1", err, runs)
		}
	})

	t.Run("fn's own error is not retried", func(t *testing.T) {
		errFn := errors.New("fn failed")
		runs := 0
		err := s.Update(context.Background(), func(tx backend.Tx) error {
			runs++
			if err := putRetryApp(tx, "failed"); err != nil {
				return err
			}
			return errFn
		})
		if !errors.Is(err, errFn) || runs != 1 {
			t.Fatalf("Update = %v after %d runs", err, runs)
		}
		if appExists(t, s, "failed") {
			t.Error("a failed Update's write was kept")
		}
	})
}
