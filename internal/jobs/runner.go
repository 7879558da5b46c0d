// Package jobs runs asynchronous jobs to completion: it finishes every job
// whose time has come, then sleeps until the next one is due or a new job is
// created. When finishing fails (a full disk, a lost database), it backs off
// and reports itself degraded until a round succeeds again.
package jobs

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Finisher is what the runner drives: the domain's job completion.
type Finisher interface {
	// FinishDueJobs completes every job that is due and returns how many.
	FinishDueJobs(ctx context.Context) (int, error)
	// NextDue returns when the earliest running job is due.
	NextDue(ctx context.Context) (time.Time, bool, error)
	// Woken receives when a job is created.
	Woken() <-chan struct{}
}

// dueNotifier is a Finisher that can tell what woke the runner: the earliest
// due time of the jobs created since it last asked (ok; zero when nothing
// happened since), or that it must look now (not ok).
type dueNotifier interface {
	WokenDue() (due time.Time, ok bool)
}

// Runner finishes jobs in the background.
type Runner struct {
	f   Finisher
	log *slog.Logger
	// MaxSleep bounds how long the runner waits between looks, so that jobs
	// created by another server on the same database are not missed.
	MaxSleep time.Duration
	// MinBackoff and MaxBackoff bound the wait after a failed round: it
	// starts at MinBackoff and doubles with every failure in a row, up to
	// MaxBackoff, each wait jittered down by up to a half.
	MinBackoff, MaxBackoff time.Duration

	mu       sync.Mutex
	failures int   // failed rounds in a row
	lastErr  error // the error of the last failed round
	waited   func(time.Duration)
}

// New returns a runner over f.
func New(f Finisher, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{f: f, log: log, MaxSleep: time.Second, MinBackoff: 100 * time.Millisecond, MaxBackoff: 10 * time.Second}
}

// RunOnce finishes every job that is due now and returns how many it finished.
func (r *Runner) RunOnce(ctx context.Context) (int, error) { return r.f.FinishDueJobs(ctx) }

// Health reports whether the last round succeeded and, when it did not, why.
func (r *Runner) Health() (ok bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failures == 0, r.lastErr
}

// Run finishes jobs until ctx is done, its first round at once. A failed
// round is logged when the runner becomes degraded (not at every retry) and
// retried after a backoff; the recovery is logged too.
func (r *Runner) Run(ctx context.Context) { r.RunAfter(ctx, 0) }

// FirstWait returns how long a runner about to start may wait before its
// first round: until the earliest running job is due, at most MaxSleep; zero
// when one is due already or when it cannot tell (the round then reports
// the failure). It is one read, where a round is two and finishes jobs: a
// server asks it before it serves, so that its first requests need not share
// the database with a round.
func (r *Runner) FirstWait(ctx context.Context) time.Duration {
	next, ok, err := r.f.NextDue(ctx)
	switch {
	case err != nil:
		return 0
	case !ok:
		return r.MaxSleep
	}
	return r.until(next)
}

// RunAfter is Run with the first round after wait (see FirstWait); a job
// created meanwhile that is due sooner moves it.
func (r *Runner) RunAfter(ctx context.Context, wait time.Duration) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	notifier, _ := r.f.(dueNotifier)
	var next time.Time // when the timer fires; zero while a round runs
	if wait > 0 {
		next = time.Now().Add(wait)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-r.f.Woken():
			if notifier != nil && !next.IsZero() {
				// Jobs created due after the timer's time need no look now;
				// one due before it moves the timer.
				if due, ok := notifier.WokenDue(); ok {
					if due.IsZero() {
						continue // an earlier wake-up told of it already
					}
					if d := time.Until(due); d > 0 {
						if due.Before(next) {
							timer.Stop()
							timer.Reset(d)
							next = due
						}
						continue
					}
				}
			}
		}
		next = time.Time{}
		n, err := r.RunOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		var wait time.Duration
		if err != nil {
			wait = r.failed(err)
		} else {
			r.succeeded()
			if n > 0 {
				r.log.Debug("finished jobs", "count", n)
			}
			wait = r.sleep(ctx)
		}
		timer.Reset(wait)
		next = time.Now().Add(wait)
		if r.waited != nil {
			r.waited(wait)
		}
	}
}

// failed records a failed round and returns how long to back off.
func (r *Runner) failed(err error) time.Duration {
	r.mu.Lock()
	r.failures++
	failures := r.failures
	r.lastErr = err
	r.mu.Unlock()
	if failures == 1 {
		r.log.Error("job runner degraded: finishing jobs failed; retrying with backoff", "err", err)
	}
	return backoff(failures, r.MinBackoff, r.MaxBackoff, rand.Float64())
}

func (r *Runner) succeeded() {
	r.mu.Lock()
	failures := r.failures
	r.failures, r.lastErr = 0, nil
	r.mu.Unlock()
	if failures > 0 {
		r.log.Info("job runner recovered", "failedRounds", failures)
	}
}

// backoff is the wait after the n-th failure in a row: min·2^(n-1), capped at
// max, less a jitter of up to half of it (u in [0, 1)).
func backoff(n int, min, max time.Duration, u float64) time.Duration {
	d := min
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d - time.Duration(u*float64(d)/2)
}

// sleep returns how long to wait until the next job is due.
func (r *Runner) sleep(ctx context.Context) time.Duration {
	next, ok, err := r.f.NextDue(ctx)
	if err != nil || !ok {
		return r.MaxSleep
	}
	return r.until(next)
}

// until returns the wait until t, between zero and MaxSleep.
func (r *Runner) until(t time.Time) time.Duration {
	d := time.Until(t)
	switch {
	case d < 0:
		return 0
	case d > r.MaxSleep:
		return r.MaxSleep
	}
	return d
}
