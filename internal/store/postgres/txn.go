package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Retry policy of Update: at most maxAttempts runs of fn, separated by a
// random pause of up to backoffBase·2ⁿ, capped at backoffMax.
const (
	maxAttempts = 20
	backoffBase = time.Millisecond
	backoffMax  = 100 * time.Millisecond
)

var (
	serializable = pgx.TxOptions{IsoLevel: pgx.Serializable}
	snapshot     = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
)

// Update runs fn in one SERIALIZABLE transaction, committed (durably) when
// fn returns nil and rolled back otherwise; fn's error is returned unchanged.
//
// When PostgreSQL aborts the transaction because a concurrent one, from this
// Store or another process on the database, conflicts with it (serialization
// failure 40001 or deadlock 40P01, at any statement or at commit), Update
// rolls back and runs fn again from scratch on a fresh snapshot, up to
// maxAttempts times, then gives up with a TooManyRequests backend.Error,
// which clients retry. fn must therefore be re-runnable: it acts only through
// the Tx and may be called more than once for one Update. Whatever fn
// returns after such an abort is discarded.
//
// So that a hot record cannot starve an Update, retries run while no other
// Update of this Store does: they can conflict only with other processes.
func (s *Store) Update(ctx context.Context, fn func(backend.Tx) error) error {
	if s.OnCommit != nil {
		start := time.Now()
		err := s.update(ctx, fn)
		if err == nil {
			s.OnCommit(time.Since(start), 1, nil)
		}
		return err
	}
	return s.update(ctx, fn)
}

func (s *Store) update(ctx context.Context, fn func(backend.Tx) error) error {
	var err error
	for attempt := range maxAttempts {
		if attempt > 0 {
			if err := pause(ctx, attempt); err != nil {
				return err
			}
		}
		var retry bool
		if retry, err = s.attempt(ctx, attempt > 0, fn); !retry {
			return err
		}
	}
	// Not a fault of the server but of the load: the client is told to retry.
	return &backend.Error{Kind: backend.TooManyRequests, LimitType: backend.LimitConcurrentUpdates,
		Message: "Concurrent requests kept conflicting with this one; retry it",
		Cause:   fmt.Errorf("update: %d conflicting attempts: %w", maxAttempts, err)}
}

// attempt runs fn in one SERIALIZABLE transaction, alone among this Store's
// Updates when alone is set.
func (s *Store) attempt(ctx context.Context, alone bool, fn func(backend.Tx) error) (retry bool, err error) {
	if alone {
		s.gate.Lock()
		defer s.gate.Unlock()
	} else {
		s.gate.RLock()
		defer s.gate.RUnlock()
	}
	return s.run(ctx, serializable, fn)
}

// View runs fn in a read-only transaction that sees one snapshot.
func (s *Store) View(ctx context.Context, fn func(backend.Tx) error) error {
	_, err := s.run(ctx, snapshot, fn)
	return err
}

// run runs fn in one transaction and reports whether it was aborted for a
// conflict and may be retried.
func (s *Store) run(ctx context.Context, opts pgx.TxOptions, fn func(backend.Tx) error) (retry bool, err error) {
	pgTx, err := s.pool.BeginTx(ctx, opts)
	if err != nil {
		return conflict(err), fmt.Errorf("begin: %w", err)
	}
	// Rolling back must not depend on ctx, which may be why fn failed.
	bg := context.WithoutCancel(ctx)
	done := false
	defer func() {
		if !done {
			pgTx.Rollback(bg) // fn panicked
		}
	}()
	t := newTx(ctx, pgTx, opts.AccessMode == pgx.ReadOnly)
	err = fn(t)
	done = true
	if t.conflict != nil {
		pgTx.Rollback(bg)
		return true, t.conflict
	}
	if err != nil || t.readOnly {
		if rbErr := pgTx.Rollback(bg); rbErr != nil && err == nil {
			return false, fmt.Errorf("end read: %w", rbErr)
		}
		return false, err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return conflict(err), fmt.Errorf("commit: %w", err)
	}
	return false, nil
}

// conflict reports whether err is PostgreSQL aborting a transaction for
// conflicting with a concurrent one.
func conflict(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// pause waits before the given attempt, or until ctx is done.
func pause(ctx context.Context, attempt int) error {
	d := min(backoffMax, backoffBase<<attempt)
	timer := time.NewTimer(rand.N(d) + 1)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
