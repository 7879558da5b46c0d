package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Purger is what the retention loop drives: the domain's deletion of
// finished jobs.
type Purger interface {
	// PurgeFinishedJobs deletes the finished jobs last updated before the
	// given time and returns how many.
	PurgeFinishedJobs(ctx context.Context, before time.Time) (int, error)
}

// Retention deletes finished jobs once they have not changed for Keep.
type Retention struct {
	p    Purger
	keep time.Duration
	log  *slog.Logger
	// Every is how often Run purges: a minute, or a quarter of Keep when
	// that is shorter (at least 100 ms), so that short retentions hold.
	Every time.Duration
	// Now is the clock (time.Now).
	Now func() time.Time
}

// NewRetention returns a retention loop over p that keeps finished jobs for
// keep after their last update.
func NewRetention(p Purger, keep time.Duration, log *slog.Logger) *Retention {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	every := min(time.Minute, max(keep/4, 100*time.Millisecond))
	return &Retention{p: p, keep: keep, log: log, Every: every, Now: time.Now}
}

// RunOnce deletes the finished jobs last updated more than Keep ago and
// returns how many.
func (r *Retention) RunOnce(ctx context.Context) (int, error) {
	return r.p.PurgeFinishedJobs(ctx, r.Now().Add(-r.keep))
}

// Run purges at once and then every Every until ctx is done. A failed purge
// is logged and tried again at the next tick.
func (r *Retention) Run(ctx context.Context) {
	ticker := time.NewTicker(r.Every)
	defer ticker.Stop()
	for {
		n, err := r.RunOnce(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			r.log.Error("job retention: purging finished jobs failed; trying again later", "err", err, "deleted", n)
		case n > 0:
			r.log.Info("job retention: deleted finished jobs", "count", n, "olderThan", r.keep.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
