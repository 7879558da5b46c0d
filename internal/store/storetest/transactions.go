package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// putOneOfEach writes one record of every kind into p.
func putOneOfEach(t *testing.T, tx backend.Tx, p backend.Partition) {
	t.Helper()
	j := job("j1", 1, backend.StatusRunning, "Op", "dev")
	check(t, tx.PutApp(p, &backend.App{ID: "a", Name: "app", Created: at(1)}))
	check(t, tx.PutEnv(p, &backend.Env{AppID: "a", Name: "dev", Created: at(1)}))
	check(t, tx.PutResource(p, &backend.Resource{AppID: "a", Env: "dev", Kind: backend.KindAPI, Name: "api", Config: json.RawMessage(`{}`), Created: at(1)}))
	check(t, tx.PutJob(p, &j))
	check(t, tx.PutToken(p, &backend.Token{AppID: "a", SessionID: "s", Code: "1", Expires: at(1)}))
	check(t, tx.PutBucket(p, &backend.Bucket{Name: "bucket", Created: at(1)}))
}

// records counts what putOneOfEach wrote to p that is visible.
func records(t *testing.T, tx backend.Tx, p backend.Partition) int {
	t.Helper()
	n := 0
	count := func(present bool, err error) {
		t.Helper()
		check(t, err)
		if present {
			n++
		}
	}
	a, err := tx.App(p, "a")
	count(a != nil, err)
	envs, err := tx.Envs(p, "a")
	count(len(envs) > 0, err)
	rs, err := tx.Resources(p, "a", "dev")
	count(len(rs) > 0, err)
	j, err := tx.Job(p, "a", "j1")
	count(j != nil, err)
	js, err := tx.Jobs(p, "a", "dev", backend.JobQuery{})
	count(len(js) > 0, err)
	count(tx.HasJobs(p, "a", "dev"))
	rj, err := tx.RunningJob(p, "a", "dev")
	count(rj != nil, err)
	tok, err := tx.Token(p, "a", "s")
	count(tok != nil, err)
	bs, err := tx.Buckets(p)
	found := false
	for _, b := range bs {
		found = found || b.Name == "bucket"
	}
	count(found, err)
	return n
}

const allRecords = 9

func testTransactions(t *testing.T, h Harness) {
	errAbort := errors.New("abort")
	t.Run("SeesOwnWrites", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		f.update(func(tx backend.Tx) error {
			putOneOfEach(t, tx, p1)
			if n := records(t, tx, p1); n != allRecords {
				t.Errorf("Update sees %d of its %d records", n, allRecords)
			}
			return nil
		})
		f.view(func(tx backend.Tx) error {
			if n := records(t, tx, p1); n != allRecords {
				t.Errorf("View sees %d of %d committed records", n, allRecords)
			}
			return nil
		})
	})
	t.Run("RollbackOnError", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		err := f.s.Update(context.Background(), func(tx backend.Tx) error {
			putOneOfEach(t, tx, p1)
			check(t, tx.EnsureSharedBucket(&backend.Bucket{Name: "shared", Created: at(1)}))
			return &backend.Error{Kind: backend.BadRequest, Message: "no"}
		})
		var be *backend.Error
		if !errors.As(err, &be) || be.Message != "no" {
			t.Fatalf("Update = %v, want fn's *backend.Error", err)
		}
		f.view(func(tx backend.Tx) error {
			if n := records(t, tx, p1); n != 0 {
				t.Errorf("%d records survived the rollback", n)
			}
			due, err := tx.DueJobs(at(1e9), 0)
			check(t, err)
			_, ok, err := tx.NextDue()
			check(t, err)
			if len(due) != 0 || ok {
				t.Errorf("rolled-back job is due: %v, %v", due, ok)
			}
			return nil
		})
	})
	t.Run("RollbackOnPanic", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		func() {
			defer func() {
				if recover() == nil {
					t.Error("Update swallowed fn's panic")
				}
			}()
			f.s.Update(context.Background(), func(tx backend.Tx) error {
				putOneOfEach(t, tx, p1)
				panic("boom")
			})
		}()
		// The store is still usable and kept nothing.
		f.update(func(tx backend.Tx) error { return tx.PutApp(p2, &backend.App{ID: "after"}) })
		f.view(func(tx backend.Tx) error {
			if n := records(t, tx, p1); n != 0 {
				t.Errorf("%d records survived the panic", n)
			}
			return nil
		})
	})
	t.Run("ViewDoesNotWrite", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		f.s.View(context.Background(), func(tx backend.Tx) error {
			tx.PutApp(p1, &backend.App{ID: "a"}) // may fail; must not be kept
			return nil
		})
		f.view(func(tx backend.Tx) error {
			a, err := tx.App(p1, "a")
			check(t, err)
			if a != nil {
				t.Error("a write inside View was kept")
			}
			return nil
		})
	})
	t.Run("CancelledContext", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := f.s.Update(ctx, func(tx backend.Tx) error {
			return tx.PutApp(p1, &backend.App{ID: "a"})
		})
		if err == nil {
			t.Error("Update with a cancelled context succeeded")
		}
		f.view(func(tx backend.Tx) error {
			a, err := tx.App(p1, "a")
			check(t, err)
			if a != nil {
				t.Error("a write under a cancelled context was kept")
			}
			return nil
		})
	})
	t.Run("ErrAbortUnchanged", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		if err := f.s.Update(context.Background(), func(backend.Tx) error { return errAbort }); !errors.Is(err, errAbort) {
			t.Errorf("Update = %v, want %v", err, errAbort)
		}
		if err := f.s.View(context.Background(), func(backend.Tx) error { return errAbort }); !errors.Is(err, errAbort) {
			t.Errorf("View = %v, want %v", err, errAbort)
		}
	})
}

func testIsolation(t *testing.T, h Harness) {
	f := open(t, h)
	f.update(func(tx backend.Tx) error {
		putOneOfEach(t, tx, p1)
		putOneOfEach(t, tx, p2)
		return tx.PutApp(p2, &backend.App{ID: "a", Name: "p2's", Created: at(2)})
	})
	f.view(func(tx backend.Tx) error {
		a, err := tx.App(p1, "a")
		check(t, err)
		if a.Name != "app" {
			t.Errorf("p1's app is %q, want %q", a.Name, "app")
		}
		if n := records(t, tx, p3); n != 0 {
			t.Errorf("an empty partition sees %d records", n)
		}
		return nil
	})
	f.update(func(tx backend.Tx) error {
		check(t, tx.DeleteApp(p1, "a"))
		check(t, tx.DeleteEnv(p1, "a", "dev"))
		check(t, tx.DeleteToken(p1, "a", "s"))
		check(t, tx.DeleteBucket(p1, "bucket"))
		j := job("j1", 1, backend.StatusCompleted, "Op", "dev")
		return tx.PutJob(p1, &j)
	})
	f.view(func(tx backend.Tx) error {
		if n := records(t, tx, p2); n != allRecords {
			t.Errorf("p2 sees %d of its %d records after p1's deletes", n, allRecords)
		}
		a, err := tx.App(p2, "a")
		check(t, err)
		if a.Name != "p2's" {
			t.Errorf("p2's app is %q, want %q", a.Name, "p2's")
		}
		return nil
	})
}
