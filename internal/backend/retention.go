package backend

import (
	"context"
	"fmt"
	"time"
)

// purgeBatch is how many jobs one transaction of PurgeFinishedJobs deletes:
// small enough that the writes queued behind it wait a few milliseconds.
const purgeBatch = 500

// PurgeFinishedJobs deletes every COMPLETED or FAILED job, of every
// partition, last updated before the given time, and returns how many it
// deleted. It deletes them in short transactions of purgeBatch jobs, so that
// other writes run in between, and stops early when ctx ends.
func (s *Service) PurgeFinishedJobs(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		var n int
		err := s.update(ctx, func(tx Tx) (err error) {
			n, err = tx.PurgeJobs(before, purgeBatch)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("purge finished jobs: %w", err)
		}
		total += n
		if n < purgeBatch {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}
