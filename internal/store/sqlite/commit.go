package sqlite

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// Group commit: concurrent Updates share one SQLite transaction, and so one
// COMMIT and one fsync. The caller holding the writer runs its fn (see apply
// for how a failed fn's writes are undone), then hands the writer to the next
// queued caller, whose fn runs next in the same transaction; the caller that
// finds nobody queued (or the batch full) commits and tells every member the
// outcome. A lone writer never waits for company, and each fn runs on its
// caller's goroutine (but for the rare runs again after a failure).
//
// Durability (file databases): the writer runs with synchronous=NORMAL, so
// a COMMIT appends the batch's frames to the WAL without syncing it, and the
// store then fsyncs the WAL itself (sync.go) before it tells any member its
// writes are kept, still holding the writer: the next batch commits only
// after that fsync, so at most one committed transaction is ever not on
// disk, which walDamage's proof of damage relies on (crash_test.go opens
// every state a power cut could leave). Syncing the WAL itself rather than
// leaving it to synchronous=FULL gives one place where durability happens:
// tests can watch it, and a failed fsync stops writes (sync.go). A committed
// batch is visible to readers for the duration of its fsync; a power cut in
// that window loses it, and it was acknowledged to nobody.
//
// (A pipelined variant, in which the next batch ran and stayed open during
// the fsync, with the COMMIT lingering for the previous batch's clients to
// come back, made batches twice as large in-process but not over HTTP, where
// it measured no faster; bench/analysis.md has the figures.)

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
	n       int      // callers that took a turn
	waiting []*call  // callers whose writes wait for the COMMIT
	members []member // the callers of waiting that ran without a savepoint
	guarded bool     // a member failed: the rest run in savepoints
	err     error    // set when the transaction is lost: it ends in ROLLBACK
}

// member is a caller whose fn ran in a batch without a savepoint: what redo
// needs to run it again.
type member struct {
	c   *call
	ctx context.Context
	fn  func(backend.Tx) error
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
// the shared COMMIT or of the fsync after it. If fn panics, its writes are
// rolled back, the rest of the batch goes on, and the panic continues in the
// caller. fn's statements are not interrupted by ctx, so as not to abort the
// whole batch.
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

// begin takes the writer's connection and opens a batch on it. Once a sync
// of the WAL has failed, the batch is lost from the start.
func (s *Store) begin() *batch {
	b := &batch{s: s, start: time.Now()}
	if b.err = s.syncFailure(); b.err != nil {
		return b
	}
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

// apply runs fn in b and queues c for the COMMIT's outcome when fn's writes
// are kept.
//
// Members run straight in the transaction, without a savepoint each (a
// SAVEPOINT and its RELEASE cost about as much as a small write). When a
// member's fn fails or panics, whatever it wrote is undone with the whole
// transaction: redo rolls back, begins again and runs the earlier members'
// fns again (Store's contract: fn acts only through the Tx and may run more
// than once). The rest of that batch then runs each member in a savepoint,
// so one batch redoes its members at most once.
func (s *Store) apply(ctx context.Context, b *batch, c *call, fn func(backend.Tx) error) error {
	b.n++
	if b.err != nil {
		return b.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	guarded, undo := b.guarded, b.redo
	if guarded {
		if err := b.exec(qSavepoint); err != nil {
			return b.fail(err)
		}
		undo = b.undo
	}
	returned := false
	defer func() {
		if !returned { // fn panicked or called runtime.Goexit
			undo()
			s.pass(b)
		}
	}()
	err := fn(newTx(context.WithoutCancel(ctx), b.c, false))
	returned = true
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		undo()
		return err
	}
	if guarded {
		if err := b.exec(qRelease); err != nil {
			return b.fail(err)
		}
	} else {
		b.members = append(b.members, member{c: c, ctx: ctx, fn: fn})
	}
	b.waiting = append(b.waiting, c)
	return nil
}

// redo undoes a failed member's writes: it rolls b's transaction back,
// begins it again and runs the members that succeeded so far again, in
// order. A member whose fn now fails (or panics) is told so at once and
// leaves the batch. From then on b guards each member with a savepoint.
func (b *batch) redo() {
	b.guarded = true
	if err := b.exec(qRollback); err != nil {
		b.fail(err)
		return
	}
	if err := b.exec(qBegin); err != nil {
		b.begun = false
		b.fail(fmt.Errorf("begin: %w", err))
		return
	}
	kept, waiting := b.members[:0], b.waiting[:0]
	for _, m := range b.members {
		if err := b.rerun(m); err != nil {
			if b.err != nil {
				return // the transaction is lost: every member hears so
			}
			m.c.done <- err
			continue
		}
		kept, waiting = append(kept, m), append(waiting, m.c)
	}
	clear(b.members[len(kept):])
	clear(b.waiting[len(waiting):])
	b.members, b.waiting = kept, waiting
}

// rerun runs member m's fn again in a savepoint of b; a panic is its error.
func (b *batch) rerun(m member) (err error) {
	if err := b.exec(qSavepoint); err != nil {
		return b.fail(err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write run again after a failure in its batch panicked: %v", r)
		}
		if err != nil {
			b.undo()
		} else if rerr := b.exec(qRelease); rerr != nil {
			err = b.fail(rerr)
		}
	}()
	return m.fn(newTx(context.WithoutCancel(m.ctx), b.c, false))
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

// open reports whether b can take another caller now.
func (s *Store) open(b *batch) bool {
	return b.err == nil && b.n < s.maxBatch && time.Since(b.start) < s.maxBatchTime
}

// pass hands the writer to the next queued caller: into b while b can take
// more, else after ending b. With nobody queued the writer becomes free.
//
// Before ending b with nobody queued, it yields once: goroutines that are
// runnable but have not reached Update yet (requests read while this fn
// ran) get to queue and join b. Without it, on one P (GOMAXPROCS=1, as a
// server pinned to one CPU runs), a writer that never yields commits alone
// and then holds the P through the fsync, and concurrent writes end up one
// per fsync (measured: 64 clients, batches of 1, 1.8 k req/s).
func (s *Store) pass(b *batch) {
	s.mu.Lock()
	if len(s.queue) == 0 && s.open(b) {
		s.mu.Unlock()
		runtime.Gosched()
		s.mu.Lock()
	}
	if len(s.queue) > 0 && s.open(b) {
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

// end commits b and syncs the WAL (file databases), or rolls b back once
// lost or when no member kept anything, tells the members the outcome and
// gives the connection back.
func (s *Store) end(b *batch) {
	err := b.err
	start := time.Now()
	// A batch none of whose members kept anything rolls back: nothing to
	// write or sync.
	kept := err == nil && len(b.waiting) > 0
	if kept {
		if err = b.exec(qCommit); err != nil {
			err = fmt.Errorf("commit: %w", err)
		} else {
			err = s.syncWAL()
		}
	}
	s.batches.Add(1)
	broken := false
	if (!kept || err != nil) && b.begun && !errors.Is(err, errSyncFailed) && b.exec(qRollback) != nil && b.exec(qRollback) != nil {
		// Failing that twice, the transaction's state is unknown: a file's
		// connection is dropped (a new one starts clean), but an in-memory
		// database lives in its only connection, which is kept.
		broken = s.path != Memory
	}
	if b.c != nil {
		s.writer.put(b.c, broken)
	}
	if s.OnCommit != nil {
		s.OnCommit(time.Since(start), b.n, err)
	}
	for _, c := range b.waiting {
		c.done <- err
	}
}
