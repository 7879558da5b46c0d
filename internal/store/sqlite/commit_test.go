package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

var pt = backend.Partition{Account: "1", Region: "r"}

// outcome is how an Update ended for its caller.
type outcome struct {
	err      error
	panicked any  // the panic that ended the caller's goroutine
	exited   bool // the goroutine ended by runtime.Goexit
}

// hold starts an Update that keeps the writer until release is called,
// so that later Updates queue up and form the next batch; release returns
// the held Update's result.
func hold(t *testing.T, s *sqlite.Store) (release func() error) {
	t.Helper()
	entered, proceed, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	var once sync.Once
	go func() {
		done <- s.Update(context.Background(), func(backend.Tx) error {
			once.Do(func() { close(entered) }) // fn may run again (Store's contract)
			<-proceed
			return nil
		})
	}()
	<-entered
	return func() error { close(proceed); return <-done }
}

// enqueue starts an Update of fn and returns once it is queued behind the
// ones before it, so that the queue holds them in call order.
func enqueue(t *testing.T, s *sqlite.Store, ctx context.Context, fn func(backend.Tx) error) <-chan outcome {
	t.Helper()
	want := sqlite.Queued(s) + 1
	ch := make(chan outcome, 1)
	go func() {
		var o outcome
		returned := false
		defer func() {
			if !returned {
				o.panicked = recover()
				o.exited = o.panicked == nil
			}
			ch <- o
		}()
		o.err = s.Update(ctx, fn)
		returned = true
	}()
	waitFor(t, func() bool { return sqlite.Queued(s) == want })
	return ch
}

// waitFor polls cond until it holds, failing the test after 10s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(50 * time.Microsecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

// openBatching opens a file store whose batches are limited only in size.
func openBatching(t *testing.T, size int) *sqlite.Store {
	t.Helper()
	s := openAt(t, filepath.Join(t.TempDir(), "x.db"))
	t.Cleanup(func() { s.Close() })
	sqlite.SetBatchLimits(s, size, time.Hour)
	return s
}

func putApp(id string) func(backend.Tx) error {
	return func(tx backend.Tx) error { return tx.PutApp(pt, &backend.App{ID: id, Name: id}) }
}

// apps reports which of ids exist.
func apps(t *testing.T, s *sqlite.Store, ids ...string) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	err := s.View(context.Background(), func(tx backend.Tx) error {
		for _, id := range ids {
			a, err := tx.App(pt, id)
			if err != nil {
				return err
			}
			got[id] = a != nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestUpdate_Batch(t *testing.T) {
	ctx := context.Background()

	t.Run("FailuresStayWithTheirCaller", func(t *testing.T) {
		t.Parallel()
		s := openBatching(t, 128)
		release := hold(t, s)
		errB := errors.New("b failed")
		var eSaw map[string]bool
		a := enqueue(t, s, ctx, putApp("a"))
		b := enqueue(t, s, ctx, func(tx backend.Tx) error { putApp("b")(tx); return errB })
		c := enqueue(t, s, ctx, func(tx backend.Tx) error { putApp("c")(tx); panic("boom") })
		d := enqueue(t, s, ctx, func(tx backend.Tx) error { putApp("d")(tx); runtime.Goexit(); return nil })
		e := enqueue(t, s, ctx, func(tx backend.Tx) error {
			eSaw = map[string]bool{}
			for _, id := range []string{"a", "b", "c", "d"} {
				a, err := tx.App(pt, id)
				if err != nil {
					return err
				}
				eSaw[id] = a != nil
			}
			return putApp("e")(tx)
		})
		before := sqlite.Batches(s)
		if err := release(); err != nil {
			t.Fatalf("held Update: %v", err)
		}
		if o := <-a; o != (outcome{}) {
			t.Errorf("a: %+v, want success", o)
		}
		if o := <-b; !errors.Is(o.err, errB) {
			t.Errorf("b: %+v, want its own error", o)
		}
		if o := <-c; o.panicked != "boom" {
			t.Errorf("c: %+v, want its panic re-raised", o)
		}
		if o := <-d; !o.exited {
			t.Errorf("d: %+v, want its Goexit to go on", o)
		}
		if o := <-e; o != (outcome{}) {
			t.Errorf("e: %+v, want success", o)
		}
		if got := sqlite.Batches(s) - before; got != 1 {
			t.Errorf("%d batches, want 1", got)
		}
		want := map[string]bool{"a": true, "b": false, "c": false, "d": false}
		if fmt.Sprint(eSaw) != fmt.Sprint(want) {
			t.Errorf("e saw %v, want %v", eSaw, want)
		}
		want["e"] = true
		if got := apps(t, s, "a", "b", "c", "d", "e"); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("committed %v, want %v", got, want)
		}
	})

	t.Run("SerialOrder", func(t *testing.T) {
		t.Parallel()
		s := openBatching(t, 128)
		release := hold(t, s)
		var chs []<-chan outcome
		for i := range 20 {
			chs = append(chs, enqueue(t, s, ctx, func(tx backend.Tx) error {
				a, err := tx.App(pt, "log")
				if err != nil {
					return err
				}
				log := fmt.Sprint(i)
				if a != nil {
					log = a.Name + "," + log
				}
				return tx.PutApp(pt, &backend.App{ID: "log", Name: log})
			}))
		}
		before := sqlite.Batches(s)
		if err := release(); err != nil {
			t.Fatal(err)
		}
		for i, ch := range chs {
			if o := <-ch; o != (outcome{}) {
				t.Errorf("Update %d: %+v", i, o)
			}
		}
		if got := sqlite.Batches(s) - before; got != 1 {
			t.Errorf("%d batches, want 1", got)
		}
		var got string
		s.View(ctx, func(tx backend.Tx) error {
			a, err := tx.App(pt, "log")
			if a != nil {
				got = a.Name
			}
			return err
		})
		if want := "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19"; got != want {
			t.Errorf("log = %q, want %q", got, want)
		}
	})

	t.Run("CommitFailureFailsAll", func(t *testing.T) {
		t.Parallel()
		s := openBatching(t, 128)
		// A deferred foreign key lets a statement succeed and its COMMIT fail.
		err := s.Update(ctx, func(tx backend.Tx) error {
			return errors.Join(
				sqlite.Exec(tx, `CREATE TABLE parent (id INTEGER PRIMARY KEY)`),
				sqlite.Exec(tx, `CREATE TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`))
		})
		if err != nil {
			t.Fatal(err)
		}
		release := hold(t, s)
		a := enqueue(t, s, ctx, putApp("a"))
		orphan := enqueue(t, s, ctx, func(tx backend.Tx) error {
			return errors.Join(putApp("b")(tx), sqlite.Exec(tx, `INSERT INTO child VALUES (42)`))
		})
		c := enqueue(t, s, ctx, putApp("c"))
		if err := release(); err == nil || !strings.Contains(err.Error(), "commit") {
			t.Errorf("held Update = %v, want the commit's error", err)
		}
		for name, ch := range map[string]<-chan outcome{"a": a, "orphan": orphan, "c": c} {
			if o := <-ch; o.err == nil || !strings.Contains(o.err.Error(), "FOREIGN KEY") {
				t.Errorf("%s: %+v, want the commit's error", name, o)
			}
		}
		if got := apps(t, s, "a", "b", "c"); got["a"] || got["b"] || got["c"] {
			t.Errorf("a failed commit kept %v", got)
		}
		if err := s.Update(ctx, putApp("after")); err != nil {
			t.Fatalf("Update after a failed commit: %v", err)
		}
		if got := apps(t, s, "after"); !got["after"] {
			t.Error("Update after a failed commit was not kept")
		}
	})

	t.Run("CancelledWhileQueued", func(t *testing.T) {
		t.Parallel()
		s := openBatching(t, 128)
		release := hold(t, s)
		cctx, cancel := context.WithCancel(ctx)
		ran := false
		ch := enqueue(t, s, cctx, func(backend.Tx) error { ran = true; return nil })
		cancel()
		// It returns without waiting for the writer.
		if o := <-ch; !errors.Is(o.err, context.Canceled) {
			t.Errorf("cancelled Update: %+v, want %v", o, context.Canceled)
		}
		if n := sqlite.Queued(s); n != 0 {
			t.Errorf("%d Updates still queued", n)
		}
		if err := release(); err != nil {
			t.Fatal(err)
		}
		if ran {
			t.Error("fn of a cancelled Update ran")
		}
	})

	t.Run("CancelledDuringFn", func(t *testing.T) {
		t.Parallel()
		s := openBatching(t, 128)
		release := hold(t, s)
		cctx, cancel := context.WithCancel(ctx)
		x := enqueue(t, s, cctx, func(tx backend.Tx) error {
			cancel()
			return putApp("x")(tx) // not interrupted: the batch goes on
		})
		y := enqueue(t, s, ctx, putApp("y"))
		if err := release(); err != nil {
			t.Fatal(err)
		}
		if o := <-x; !errors.Is(o.err, context.Canceled) {
			t.Errorf("x: %+v, want %v", o, context.Canceled)
		}
		if o := <-y; o != (outcome{}) {
			t.Errorf("y: %+v, want success", o)
		}
		if got := apps(t, s, "x", "y"); got["x"] || !got["y"] {
			t.Errorf("committed %v, want only y", got)
		}
	})

	t.Run("SizeLimit", func(t *testing.T) {
		t.Parallel()
		s := openBatching(t, 4)
		release := hold(t, s)
		var chs []<-chan outcome
		for i := range 10 {
			chs = append(chs, enqueue(t, s, ctx, putApp(fmt.Sprint(i))))
		}
		before := sqlite.Batches(s)
		if err := release(); err != nil {
			t.Fatal(err)
		}
		for _, ch := range chs {
			if o := <-ch; o != (outcome{}) {
				t.Errorf("%+v", o)
			}
		}
		if got := sqlite.Batches(s) - before; got != 3 { // 11 Updates, 4 a batch
			t.Errorf("%d batches, want 3", got)
		}
	})
}
