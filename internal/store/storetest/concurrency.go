package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/amplifylite/amplifylite/internal/backend"
)

func testConcurrency(t *testing.T, h Harness) {
	t.Run("Writers", func(t *testing.T) {
		t.Parallel()
		writers, updates := 32, 50
		if testing.Short() {
			updates = 10
		}
		f := open(t, h)
		ctx := context.Background()
		var wg sync.WaitGroup
		// Readers run alongside and must always see one snapshot: the
		// counter n and the jobs n0…n(n-1) that each increment wrote.
		for range 4 {
			wg.Go(func() {
				for range updates * 2 {
					err := f.s.View(ctx, func(tx backend.Tx) error {
						n, err := counter(tx)
						if err != nil {
							return err
						}
						last, err := tx.Job(p1, "a", counterJob(n-1))
						if err != nil {
							return err
						}
						next, err := tx.Job(p1, "a", counterJob(n))
						if err == nil && (n > 0 && last == nil || next != nil) {
							err = fmt.Errorf("counter %d but job %d present = %v, job %d present = %v", n, n-1, last != nil, n, next != nil)
						}
						return err
					})
					if err != nil {
						t.Errorf("View: %v", err)
						return
					}
				}
			})
		}
		for range writers {
			wg.Go(func() {
				for range updates {
					err := f.s.Update(ctx, func(tx backend.Tx) error {
						n, err := counter(tx)
						if err != nil {
							return err
						}
						j := job(counterJob(n), n, backend.StatusCompleted, "Op", "dev")
						if err := tx.PutJob(p1, &j); err != nil {
							return err
						}
						return tx.PutApp(p1, &backend.App{ID: "a", Name: strconv.Itoa(n + 1)})
					})
					if err != nil {
						t.Errorf("Update: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		f.view(func(tx backend.Tx) error {
			n, err := counter(tx)
			check(t, err)
			want := writers * updates
			if n != want {
				t.Errorf("counter = %d after %d increments: updates were lost", n, want)
			}
			js, err := tx.Jobs(p1, "a", "dev", backend.JobQuery{})
			check(t, err)
			if len(js) != want {
				t.Errorf("%d jobs after %d updates", len(js), want)
			}
			return nil
		})
	})
	t.Run("OneWinner", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		errExists := errors.New("exists")
		for round := range 10 {
			id := fmt.Sprintf("app%d", round)
			var wins, losses atomic.Int32
			var wg sync.WaitGroup
			start := make(chan struct{})
			for c := range 16 {
				wg.Go(func() {
					<-start
					err := f.s.Update(context.Background(), func(tx backend.Tx) error {
						a, err := tx.App(p1, id)
						if err != nil {
							return err
						}
						if a != nil {
							return errExists
						}
						return tx.PutApp(p1, &backend.App{ID: id, Name: strconv.Itoa(c)})
					})
					switch {
					case err == nil:
						wins.Add(1)
					case errors.Is(err, errExists):
						losses.Add(1)
					default:
						t.Errorf("Update: %v", err)
					}
				})
			}
			close(start)
			wg.Wait()
			if wins.Load() != 1 || losses.Load() != 15 {
				t.Errorf("round %d: %d winners and %d losers, want 1 and 15", round, wins.Load(), losses.Load())
			}
		}
	})
}

// testMixedOutcomes runs concurrent Updates of which some fail and some
// panic: exactly the ones that returned nil are kept, before and after
// reopening.
func testMixedOutcomes(t *testing.T, h Harness) {
	writers, updates := 16, 20
	f := open(t, h)
	errAbort := errors.New("abort")
	outcome := func(w, i int) int { return (w + i) % 4 } // 0 fails, 1 panics, else succeeds
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range updates {
				var err error
				panicked := func() (panicked bool) {
					defer func() { panicked = recover() != nil }()
					err = f.s.Update(context.Background(), func(tx backend.Tx) error {
						if err := tx.PutToken(p1, &backend.Token{AppID: "a", SessionID: fmt.Sprintf("%d-%d", w, i), Code: "1", Expires: at(1)}); err != nil {
							return err
						}
						switch outcome(w, i) {
						case 0:
							return errAbort
						case 1:
							panic("boom")
						}
						return nil
					})
					return false
				}()
				var want error
				if outcome(w, i) == 0 {
					want = errAbort
				}
				if panicked != (outcome(w, i) == 1) || !errors.Is(err, want) {
					t.Errorf("Update %d-%d = %v, panicked %v; want %v, panicked %v", w, i, err, panicked, want, outcome(w, i) == 1)
				}
			}
		})
	}
	wg.Wait()
	verify := func(when string) {
		f.view(func(tx backend.Tx) error {
			for w := range writers {
				for i := range updates {
					tok, err := tx.Token(p1, "a", fmt.Sprintf("%d-%d", w, i))
					check(t, err)
					if kept, want := tok != nil, outcome(w, i) > 1; kept != want {
						t.Errorf("%s: token %d-%d kept = %v, want %v", when, w, i, kept, want)
					}
				}
			}
			return nil
		})
	}
	verify("after the Updates")
	if h.Reopen != nil {
		f.reopen()
		verify("after reopening")
	}
}

// counterJob is the id of the job written when the counter was n.
func counterJob(n int) string { return fmt.Sprintf("n%05d", n) }

// counter reads the number stored as the name of app "a" in p1.
func counter(tx backend.Tx) (int, error) {
	a, err := tx.App(p1, "a")
	if err != nil || a == nil {
		return 0, err
	}
	return strconv.Atoi(a.Name)
}
