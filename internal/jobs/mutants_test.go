package jobs

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

// Tests written for mutants that survived `make mutate` (docs/MUTANTS.md).

func TestNew_Defaults(t *testing.T) {
	r := New(&fakeFinisher{}, nil)
	// README: runners look for jobs created elsewhere at least once a second.
	if r.MaxSleep != time.Second {
		t.Errorf("MaxSleep = %v, want 1s", r.MaxSleep)
	}
	if r.MinBackoff != 100*time.Millisecond || r.MaxBackoff != 10*time.Second {
		t.Errorf("backoff %v–%v, want 100ms–10s", r.MinBackoff, r.MaxBackoff)
	}
}

// steadyFinisher finishes n jobs every round and never fails.
type steadyFinisher struct {
	n    int
	wake chan struct{}
}

func (f *steadyFinisher) FinishDueJobs(context.Context) (int, error) { return f.n, nil }
func (f *steadyFinisher) NextDue(context.Context) (time.Time, bool, error) {
	return time.Time{}, false, nil
}
func (f *steadyFinisher) Woken() <-chan struct{} { return f.wake }

// TestRun_HealthyRoundsLogOnlyWhatTheyFinished: a runner that never failed
// logs no recovery, and a debug line only for rounds that finished jobs.
func TestRun_HealthyRoundsLogOnlyWhatTheyFinished(t *testing.T) {
	for _, tt := range []struct {
		finished, wantDebug int
	}{{0, 0}, {2, 3}} {
		f := &steadyFinisher{n: tt.finished, wake: make(chan struct{})}
		logs := &records{}
		r := New(f, slog.New(logs))
		r.MaxSleep = time.Hour
		waits := make(chan time.Duration, 10)
		r.waited = func(d time.Duration) { waits <- d }
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); r.Run(ctx) }()
		<-waits
		for range 2 {
			f.wake <- struct{}{}
			<-waits
		}
		cancel()
		<-done
		if n := logs.count(slog.LevelInfo); n != 0 {
			t.Errorf("%d jobs a round: %d info lines in 3 healthy rounds, want none", tt.finished, n)
		}
		if n := logs.count(slog.LevelDebug); n != tt.wantDebug {
			t.Errorf("%d jobs a round: %d debug lines in 3 rounds, want %d", tt.finished, n, tt.wantDebug)
		}
		if ok, err := r.Health(); !ok || err != nil {
			t.Errorf("Health() = %v, %v, want healthy", ok, err)
		}
	}
}
