package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/postgres"
)

var p1 = backend.Partition{Account: "111111111111", Region: "us-east-1"}

// replicas opens two Stores on one new schema, as two servers would.
func replicas(t *testing.T) [2]*postgres.Store {
	t.Helper()
	dsn := newSchema(t)
	rs := [2]*postgres.Store{open(t, dsn), open(t, dsn)}
	t.Cleanup(func() {
		rs[0].Close()
		rs[1].Close()
	})
	return rs
}

// race runs fn(i) for i in [0, n) at once, half of them on each replica,
// and returns how many returned nil and how many returned want.
func race(t *testing.T, rs [2]*postgres.Store, n int, want error, fn func(i int, tx backend.Tx) error) (wins, losses int) {
	t.Helper()
	var w, l atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			err := rs[i%2].Update(context.Background(), func(tx backend.Tx) error { return fn(i, tx) })
			switch {
			case err == nil:
				w.Add(1)
			case errors.Is(err, want):
				l.Add(1)
			default:
				t.Errorf("Update on replica %d: %v", i%2, err)
			}
		})
	}
	close(start)
	wg.Wait()
	return int(w.Load()), int(l.Load())
}

func runningJob(id string, envs ...string) *backend.Job {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return &backend.Job{ID: id, AppID: "a", Envs: envs, Kind: "Op", Operation: "Op", Status: backend.StatusRunning,
		Created: now, Updated: now, Due: now, Payload: json.RawMessage(`{"n":0}`)}
}

// TestReplicas_OneWinner races conflicting Updates on two Stores sharing a
// database: the checks the domain makes inside one Update hold across them.
func TestReplicas_OneWinner(t *testing.T) {
	rs := replicas(t)
	errLost := errors.New("lost")
	const n = 16
	t.Run("CreateApp", func(t *testing.T) {
		for round := range 8 {
			id := fmt.Sprintf("app%d", round)
			wins, losses := race(t, rs, n, errLost, func(i int, tx backend.Tx) error {
				a, err := tx.App(p1, id)
				if err != nil || a != nil {
					return errors.Join(err, errLost)
				}
				return tx.PutApp(p1, &backend.App{ID: id, Name: strconv.Itoa(i)})
			})
			if wins != 1 || losses != n-1 {
				t.Errorf("round %d: %d winners and %d losers, want 1 and %d", round, wins, losses, n-1)
			}
		}
	})
	// As the domain starts a job: RunningJob, then PutJob, in one Update.
	t.Run("OneRunningJobPerEnv", func(t *testing.T) {
		for round := range 8 {
			env := fmt.Sprintf("env%d", round)
			wins, losses := race(t, rs, n, errLost, func(i int, tx backend.Tx) error {
				j, err := tx.RunningJob(p1, "a", env)
				if err != nil || j != nil {
					return errors.Join(err, errLost)
				}
				// Odd jobs are also listed under a second environment, as clones are.
				envs := []string{env}
				if i%2 == 1 {
					envs = append(envs, env+"-copy")
				}
				return tx.PutJob(p1, runningJob(fmt.Sprintf("j%d-%d", round, i), envs...))
			})
			if wins != 1 || losses != n-1 {
				t.Errorf("round %d: %d winners and %d losers, want 1 and %d", round, wins, losses, n-1)
			}
			err := rs[1].View(context.Background(), func(tx backend.Tx) error {
				js, err := tx.Jobs(p1, "a", env, backend.JobQuery{Status: backend.StatusRunning})
				if err == nil && len(js) != 1 {
					err = fmt.Errorf("%d RUNNING jobs listed under %s, want 1", len(js), env)
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}
	})
}

// TestReplicas_FinishOnce has runners on both Stores pick up the same
// RUNNING job, as the domain does: re-read it, skip it unless RUNNING, else
// complete it and apply its effect. Exactly one must apply it.
func TestReplicas_FinishOnce(t *testing.T) {
	rs := replicas(t)
	ctx := context.Background()
	errSkipped := errors.New("skipped")
	for round := range 8 {
		id := fmt.Sprintf("j%d", round)
		if err := rs[0].Update(ctx, func(tx backend.Tx) error { return tx.PutJob(p1, runningJob(id, "dev")) }); err != nil {
			t.Fatal(err)
		}
		wins, skips := race(t, rs, 8, errSkipped, func(i int, tx backend.Tx) error {
			j, err := tx.Job(p1, "a", id)
			if err != nil || j == nil || j.Status != backend.StatusRunning {
				return errors.Join(err, errSkipped)
			}
			j.Status = backend.StatusCompleted
			if err := tx.PutJob(p1, j); err != nil {
				return err
			}
			// The effect: one more application counted on app "effects".
			n, err := counter(tx, "effects")
			if err != nil {
				return err
			}
			return tx.PutApp(p1, &backend.App{ID: "effects", Name: strconv.Itoa(n + 1)})
		})
		if wins != 1 || skips != 7 {
			t.Errorf("job %s: finished %d times, skipped %d, want 1 and 7", id, wins, skips)
		}
	}
	err := rs[1].View(ctx, func(tx backend.Tx) error {
		n, err := counter(tx, "effects")
		if err == nil && n != 8 {
			err = fmt.Errorf("effects applied %d times for 8 jobs", n)
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
}

// TestReplicas_ReadModifyWrite increments a counter kept in one job row from
// both Stores at once: no increment is lost and the job stays listed once.
func TestReplicas_ReadModifyWrite(t *testing.T) {
	rs := replicas(t)
	ctx := context.Background()
	if err := rs[0].Update(ctx, func(tx backend.Tx) error { return tx.PutJob(p1, runningJob("j", "dev", "copy")) }); err != nil {
		t.Fatal(err)
	}
	const workers, increments = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range increments {
				err := rs[w%2].Update(ctx, func(tx backend.Tx) error {
					j, err := tx.Job(p1, "a", "j")
					if err != nil {
						return err
					}
					var p struct{ N int }
					if err := json.Unmarshal(j.Payload, &p); err != nil {
						return err
					}
					j.Payload = json.RawMessage(fmt.Sprintf(`{"n":%d}`, p.N+1))
					j.Operation = fmt.Sprintf("Op%d", p.N+1)
					return tx.PutJob(p1, j)
				})
				if err != nil {
					t.Errorf("Update on replica %d: %v", w%2, err)
					return
				}
			}
		})
	}
	wg.Wait()
	want := workers * increments
	err := rs[1].View(ctx, func(tx backend.Tx) error {
		j, err := tx.Job(p1, "a", "j")
		if err != nil {
			return err
		}
		if got, wantPayload := string(j.Payload), fmt.Sprintf(`{"n":%d}`, want); got != wantPayload {
			t.Errorf("payload %s after %d increments, want %s", got, want, wantPayload)
		}
		for _, env := range []string{"dev", "copy"} {
			js, err := tx.Jobs(p1, "a", env, backend.JobQuery{Operation: fmt.Sprintf("Op%d", want)})
			if err != nil {
				return err
			}
			if len(js) != 1 {
				t.Errorf("listed %d times under %s with the last operation, want once", len(js), env)
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// counter reads the number stored as the name of app id in p1.
func counter(tx backend.Tx, id string) (int, error) {
	a, err := tx.App(p1, id)
	if err != nil || a == nil {
		return 0, err
	}
	return strconv.Atoi(a.Name)
}
