package sqlite

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// Group commit: concurrent Updates share one SQLite transaction, and so one
// COMMIT and one fsync. The caller holding the writer runs its fn inside a
// savepoint, then hands the writer to the next queued caller, whose fn runs
// next in the same transaction; the caller that finds nobody queued (or the
// batch full) commits and tells every member the outcome. A lone writer
// never waits for company, and each fn runs on its caller's goroutine.

// Default limits of one batch: it takes no more callers once it has
// maxBatch or has been open for maxBatchTime.
const (
	maxBatch     = 128
	maxBatchTime = 5 * time.Millisecond
)

// Statements of the group commit protocol.
const (
	qBegin      = `BEGIN IMMEDIATE`
	qCommit     = `COMMIT`
	qRollback   = `ROLLBACK`
	qSavepoint  = `SAVEPOINT upd`
	qRelease    = `RELEASE upd`
	qRollbackTo = `ROLLBACK TO upd`
)

// batch is one write transaction shared by consecutive Updates.
type batch struct {
	s       *Store
	c       *conn // nil when no connection could be had
	begun   bool
	start   time.Time
	n       int     // callers that took a turn
	waiting []*call // callers whose writes wait for the COMMIT
	err     error   // set when the transaction is lost: it ends in ROLLBACK
}

// call is one Update in the queue.
type call struct {
	turn chan *batch // the batch to join, or nil: begin one
	done chan error  // the outcome of the COMMIT
}

// Update runs fn in a write transaction, usually shared with concurrent
// Updates, each in its own savepoint and in arrival order. It returns nil
// once fn's writes are durably committed, and otherwise an error with none
// of them kept: fn's own error unchanged, ctx.Err() when ctx ends before fn
// returns (fn does not run if it ended before its turn), or the failure of
// the shared COMMIT. If fn panics, its writes are rolled back, the rest of
// the batch goes on, and the panic continues in the caller. fn's statements
// are not interrupted by ctx, so as not to abort the whole batch.
func (s *Store) Update(ctx context.Context, fn func(backend.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := &call{turn: make(chan *batch, 1), done: make(chan error, 1)}
	b, err := s.wait(ctx, c)
	if err != nil {
		return err
	}
	if b == nil {
		b = s.begin()
	}
	err = s.apply(ctx, b, c, fn)
	s.pass(b)
	if err != nil {
		return err
	}
	return <-c.done
}

// wait returns when c holds the writer, with the batch to join (nil: begin
// one), or with ctx's error if ctx ends while c is still queued.
func (s *Store) wait(ctx context.Context, c *call) (*batch, error) {
	s.mu.Lock()
	if !s.busy {
		s.busy = true
		s.mu.Unlock()
		return nil, nil
	}
	s.queue = append(s.queue, c)
	s.mu.Unlock()
	select {
	case b := <-c.turn:
		return b, nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	if i := slices.Index(s.queue, c); i >= 0 {
		s.queue = slices.Delete(s.queue, i, i+1)
		s.mu.Unlock()
		return nil, ctx.Err()
	}
	s.mu.Unlock()
	return <-c.turn, nil // already handed the writer: apply sees ctx's error
}

// begin takes the writer's connection and opens a batch on it.
func (s *Store) begin() *batch {
	b := &batch{s: s, start: time.Now()}
	if b.c, b.err = s.writer.get(context.Background()); b.err != nil {
		return b
	}
	if err := b.exec(qBegin); err != nil {
		b.err = fmt.Errorf("begin: %w", err)
		return b
	}
	b.begun = true
	return b
}

// apply runs fn in a savepoint of b, rolled back unless fn succeeds, and
// queues c for the COMMIT's outcome when fn's writes are kept.
func (s *Store) apply(ctx context.Context, b *batch, c *call, fn func(backend.Tx) error) error {
	b.n++
	if b.err != nil {
		return b.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := b.exec(qSavepoint); err != nil {
		return b.fail(err)
	}
	returned := false
	defer func() {
		if !returned { // fn panicked or called runtime.Goexit
			b.undo()
			s.pass(b)
		}
	}()
	err := fn(newTx(context.WithoutCancel(ctx), b.c, false))
	returned = true
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		b.undo()
		return err
	}
	if err := b.exec(qRelease); err != nil {
		return b.fail(err)
	}
	b.waiting = append(b.waiting, c)
	return nil
}

// exec runs a statement of the group commit protocol on b's connection.
func (b *batch) exec(q string) error {
	if f := b.s.fault; f != nil {
		if err := f(q); err != nil {
			return err
		}
	}
	return b.c.exec(context.Background(), q)
}

// undo rolls back the current savepoint.
func (b *batch) undo() {
	err := b.exec(qRollbackTo)
	if err == nil {
		err = b.exec(qRelease)
	}
	if err != nil {
		b.fail(err)
	}
}

// fail marks the transaction lost (SQLite may have rolled it back) and
// returns the error.
func (b *batch) fail(err error) error {
	if b.err == nil {
		b.err = fmt.Errorf("write transaction: %w", err)
	}
	return b.err
}

// pass hands the writer to the next queued caller: into b while b can take
// more, else after ending b. With nobody queued the writer becomes free.
func (s *Store) pass(b *batch) {
	s.mu.Lock()
	if len(s.queue) > 0 && b.err == nil && b.n < s.maxBatch && time.Since(b.start) < s.maxBatchTime {
		next := s.pop()
		s.mu.Unlock()
		next.turn <- b
		return
	}
	s.mu.Unlock()
	s.end(b)
	s.mu.Lock()
	if len(s.queue) == 0 {
		s.busy = false
		s.mu.Unlock()
		return
	}
	next := s.pop()
	s.mu.Unlock()
	next.turn <- nil
}

// pop removes the first queued call; s.mu must be held.
func (s *Store) pop() *call {
	c := s.queue[0]
	s.queue[0] = nil
	s.queue = s.queue[1:]
	return c
}

// end commits b, or rolls it back once lost, tells the waiting callers the
// outcome and gives the connection back.
func (s *Store) end(b *batch) {
	err := b.err
	start := time.Now()
	if err == nil {
		if err = b.exec(qCommit); err != nil {
			err = fmt.Errorf("commit: %w", err)
		}
	}
	if s.OnCommit != nil {
		s.OnCommit(time.Since(start), b.n, err)
	}
	s.batches.Add(1)
	broken := false
	if err != nil && b.begun && b.exec(qRollback) != nil && b.exec(qRollback) != nil {
		// Failing that twice, the transaction's state is unknown: a file's
		// connection is dropped (a new one starts clean), but an in-memory
		// database lives in its only connection, which is kept.
		broken = s.path != Memory
	}
	for _, c := range b.waiting {
		c.done <- err
	}
	if b.c != nil {
		s.writer.put(b.c, broken)
	}
}
