package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

var faultPartition = backend.Partition{Account: "111111111111", Region: "us-east-1"}

// failFirst makes the first run of each statement in qs fail, and counts
// the statements it failed.
func failFirst(qs ...string) (func(string) error, *atomic.Int64) {
	var mu sync.Mutex
	failed := map[string]bool{}
	var n atomic.Int64
	return func(got string) error {
		mu.Lock()
		defer mu.Unlock()
		for _, q := range qs {
			if got == q && !failed[q] {
				failed[q] = true
				n.Add(1)
				return fmt.Errorf("injected failure of %s", q)
			}
		}
		return nil
	}, &n
}

func putApp(id string) func(backend.Tx) error {
	return func(tx backend.Tx) error {
		return tx.PutApp(faultPartition, &backend.App{ID: id, Name: id, Created: time.UnixMilli(1).UTC()})
	}
}

func hasApp(t *testing.T, s *Store, id string) bool {
	t.Helper()
	var a *backend.App
	err := s.View(context.Background(), func(tx backend.Tx) (err error) {
		a, err = tx.App(faultPartition, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return a != nil
}

// TestGroupCommit_ProtocolFailures: when a statement of the group commit
// protocol fails, the Updates it concerns fail and keep none of their writes,
// and the store goes on serving the next Updates.
func TestGroupCommit_ProtocolFailures(t *testing.T) {
	errFn := errors.New("fn failed")
	for _, tt := range []struct {
		name string
		qs   []string               // the statements that fail
		fn   func(backend.Tx) error // the Update under the fault (default: put app "x")
	}{
		{"begin", []string{qBegin}, nil},
		{"commit", []string{qCommit}, nil},
		{"rollback, after fn failed", []string{qRollback}, func(tx backend.Tx) error { putApp("x")(tx); return errFn }},
		// ROLLBACK runs only after a failure; when it fails too, the connection is in an unknown state.
		{"rollback after a failed commit", []string{qCommit, qRollback}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{Memory, t.TempDir() + "/db"} {
				s, err := Open(context.Background(), path)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				fault, failed := failFirst(tt.qs...)
				s.fault = fault
				fn := tt.fn
				if fn == nil {
					fn = putApp("x")
				}
				err = s.Update(context.Background(), fn)
				if err == nil {
					t.Fatalf("%s: Update succeeded despite the failure", path)
				}
				if tt.fn != nil && !errors.Is(err, errFn) {
					t.Errorf("%s: Update = %v, want fn's error", path, err)
				}
				if n := failed.Load(); n != int64(len(tt.qs)) {
					t.Fatalf("%s: %d of %v ran", path, n, tt.qs)
				}
				if hasApp(t, s, "x") {
					t.Errorf("%s: the failed Update's write was kept", path)
				}
				s.fault = nil
				if err := s.Update(context.Background(), putApp("y")); err != nil {
					t.Fatalf("%s: next Update: %v", path, err)
				}
				if !hasApp(t, s, "y") {
					t.Errorf("%s: next Update's write is missing", path)
				}
			}
		})
	}
}

// TestGroupCommit_FailedCommitFailsTheWholeBatch: every Update of a batch
// whose COMMIT fails gets the failure and keeps nothing.
func TestGroupCommit_FailedCommitFailsTheWholeBatch(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir()+"/db")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.maxBatchTime = time.Hour // one batch for every caller queued meanwhile
	fault, _ := failFirst(qCommit)
	s.fault = fault
	hold, holding := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.Update(context.Background(), func(tx backend.Tx) error {
			close(holding)
			<-hold // the others queue behind this one and join its batch
			return putApp("a0")(tx)
		})
	}()
	<-holding // it has the writer: the others can only queue
	const n = 5
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = s.Update(context.Background(), putApp(fmt.Sprintf("a%d", i+1))) })
	}
	for {
		s.mu.Lock()
		queued := len(s.queue)
		s.mu.Unlock()
		if queued == n {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(hold)
	wg.Wait()
	errs = append(errs, <-first)
	for i, err := range errs {
		if err == nil {
			t.Errorf("Update %d succeeded in a batch whose COMMIT failed", i)
		}
	}
	for i := range n + 1 {
		if hasApp(t, s, fmt.Sprintf("a%d", i)) {
			t.Errorf("a%d was kept", i)
		}
	}
	if b := s.batches.Load(); b != 1 {
		t.Errorf("%d batches, want 1", b)
	}
}

// TestUpdate_CancelledWhileQueued: an Update whose context ends while it
// waits for the writer returns the context's error and runs nothing.
func TestUpdate_CancelledWhileQueued(t *testing.T) {
	s, err := Open(context.Background(), Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hold, started := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Update(context.Background(), func(tx backend.Tx) error {
			close(started)
			<-hold
			return nil
		})
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	queued := make(chan error, 1)
	ran := atomic.Bool{}
	go func() {
		queued <- s.Update(ctx, func(tx backend.Tx) error { ran.Store(true); return nil })
	}()
	for {
		s.mu.Lock()
		n := len(s.queue)
		s.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-queued; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Update = %v", err)
	}
	close(hold)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if ran.Load() {
		t.Error("the cancelled Update's fn ran")
	}
	if err := s.Update(context.Background(), putApp("z")); err != nil {
		t.Fatalf("next Update: %v", err)
	}
}

// TestGroupCommit_Redo: when a member of a batch fails, its writes are undone
// by rolling the transaction back and running the members before it again;
// the members after it run in savepoints. When a statement of that redo
// fails, the transaction is lost: its members fail and keep nothing, and the
// ones still queued run in the next batch.
func TestGroupCommit_Redo(t *testing.T) {
	errB := errors.New("b failed")
	for _, fail := range []string{"", qRollback, qBegin, qSavepoint, qRelease} {
		t.Run(fmt.Sprintf("fault=%q", fail), func(t *testing.T) {
			s, err := Open(context.Background(), t.TempDir()+"/db")
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			s.maxBatchTime = time.Hour
			var armed, failed atomic.Bool
			s.fault = func(q string) error {
				if q == fail && armed.Load() && failed.CompareAndSwap(false, true) {
					return fmt.Errorf("injected failure of %s", q)
				}
				return nil
			}
			var runs sync.Map // member -> times its fn ran
			counted := func(id string, fn func(backend.Tx) error) func(backend.Tx) error {
				return func(tx backend.Tx) error {
					n, _ := runs.LoadOrStore(id, new(atomic.Int32))
					n.(*atomic.Int32).Add(1)
					return fn(tx)
				}
			}
			hold, holding := make(chan struct{}), make(chan struct{})
			var once sync.Once
			h := make(chan error, 1)
			go func() {
				h <- s.Update(context.Background(), counted("h", func(tx backend.Tx) error {
					once.Do(func() { close(holding) })
					<-hold
					return putApp("h")(tx)
				}))
			}()
			<-holding
			fns := []func(backend.Tx) error{
				counted("a", putApp("a")),
				counted("b", func(tx backend.Tx) error { putApp("b")(tx); armed.Store(true); return errB }),
				counted("c", putApp("c")),
			}
			errs := updateQueued(t, s, hold, fns)
			errH := <-h
			if !errors.Is(errs[1], errB) {
				t.Errorf("b = %v, want its own error", errs[1])
			}
			if hasApp(t, s, "b") {
				t.Error("the failed member's write was kept")
			}
			if want := map[bool]int64{true: 1, false: 2}[fail == ""]; s.batches.Load() != want {
				t.Errorf("%d batches, want %d", s.batches.Load(), want)
			}
			if err := errs[2]; err != nil || !hasApp(t, s, "c") {
				t.Errorf("c: %v, want success", err)
			}
			for id, err := range map[string]error{"h": errH, "a": errs[0]} {
				if kept := hasApp(t, s, id); fail == "" && (err != nil || !kept) {
					t.Errorf("%s: %v, kept %v; want success", id, err, kept)
				} else if fail != "" && (err == nil || kept) {
					t.Errorf("%s: %v, kept %v; want the lost transaction's error and nothing kept", id, err, kept)
				}
			}
			if fail == "" {
				for id, want := range map[string]int32{"h": 2, "a": 2, "b": 1, "c": 1} {
					if n, _ := runs.Load(id); n.(*atomic.Int32).Load() != want {
						t.Errorf("%s ran %d times, want %d", id, n.(*atomic.Int32).Load(), want)
					}
				}
			} else if !failed.Load() {
				t.Fatalf("%s never ran after b failed", fail)
			}
			if err := s.Update(context.Background(), putApp("next")); err != nil || !hasApp(t, s, "next") {
				t.Errorf("next Update: %v", err)
			}
		})
	}
}

// updateQueued queues an Update of each of fns, in order, behind the writer
// (held until hold is closed), then closes hold and returns their results.
func updateQueued(t *testing.T, s *Store, hold chan struct{}, fns []func(backend.Tx) error) []error {
	t.Helper()
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = s.Update(context.Background(), fn) })
		waitQueued(t, s, i+1)
	}
	close(hold)
	wg.Wait()
	return errs
}

// waitQueued waits until n Updates are queued behind the writer.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		s.mu.Lock()
		q := len(s.queue)
		s.mu.Unlock()
		if q == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d Updates queued, want %d", q, n)
		}
	}
}

// TestGroupCommit_RedoRunFails: a member whose fn fails (or panics) when the
// redo runs it again gets that outcome at once and keeps nothing; the rest of
// the batch is unaffected.
func TestGroupCommit_RedoRunFails(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir()+"/db")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.maxBatchTime = time.Hour
	errA, errB := errors.New("a failed on its second run"), errors.New("b failed")
	secondRun := func(id string, then func() error) func(backend.Tx) error {
		var runs atomic.Int32
		return func(tx backend.Tx) error {
			if err := putApp(id)(tx); err != nil {
				return err
			}
			if runs.Add(1) == 2 {
				return then()
			}
			return nil
		}
	}
	hold, holding := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h := make(chan error, 1)
	go func() {
		h <- s.Update(context.Background(), func(tx backend.Tx) error {
			once.Do(func() { close(holding) })
			<-hold
			return putApp("h")(tx)
		})
	}()
	<-holding
	fns := []func(backend.Tx) error{
		secondRun("a", func() error { return errA }),
		secondRun("p", func() error { panic("boom on the second run") }),
		func(tx backend.Tx) error { putApp("b")(tx); return errB },
		putApp("c"),
	}
	errs := updateQueued(t, s, hold, fns)
	if err := <-h; err != nil || !hasApp(t, s, "h") {
		t.Errorf("h: %v, want success", err)
	}
	if !errors.Is(errs[0], errA) || hasApp(t, s, "a") {
		t.Errorf("a: %v, kept %v; want its second run's error and nothing kept", errs[0], hasApp(t, s, "a"))
	}
	if errs[1] == nil || !strings.Contains(errs[1].Error(), "boom on the second run") || hasApp(t, s, "p") {
		t.Errorf("p: %v, kept %v; want its second run's panic as an error and nothing kept", errs[1], hasApp(t, s, "p"))
	}
	if !errors.Is(errs[2], errB) || hasApp(t, s, "b") {
		t.Errorf("b: %v, kept %v; want its own error", errs[2], hasApp(t, s, "b"))
	}
	if errs[3] != nil || !hasApp(t, s, "c") {
		t.Errorf("c: %v, want success", errs[3])
	}
}
