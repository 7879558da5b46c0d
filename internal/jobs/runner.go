// Package jobs runs asynchronous jobs to completion: it finishes every job
// whose time has come, then sleeps until the next one is due or a new job is
// created.
package jobs

import (
	"context"
	"log/slog"
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

// Runner finishes jobs in the background.
type Runner struct {
	f   Finisher
	log *slog.Logger
	// MaxSleep bounds how long the runner waits between looks, so that jobs
	// created by another server on the same database are not missed.
	MaxSleep time.Duration
}

// New returns a runner over f.
func New(f Finisher, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{f: f, log: log, MaxSleep: time.Second}
}

// RunOnce finishes every job that is due now and returns how many it finished.
func (r *Runner) RunOnce(ctx context.Context) (int, error) { return r.f.FinishDueJobs(ctx) }

// Run finishes jobs until ctx is done. Errors are logged and retried.
func (r *Runner) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-r.f.Woken():
		}
		if n, err := r.RunOnce(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			r.log.Error("finish jobs", "err", err)
		} else if n > 0 {
			r.log.Debug("finished jobs", "count", n)
		}
		timer.Reset(r.sleep(ctx))
	}
}

// sleep returns how long to wait until the next job is due.
func (r *Runner) sleep(ctx context.Context) time.Duration {
	next, ok, err := r.f.NextDue(ctx)
	if err != nil || !ok {
		return r.MaxSleep
	}
	d := time.Until(next)
	switch {
	case d < 0:
		return 0
	case d > r.MaxSleep:
		return r.MaxSleep
	}
	return d
}
