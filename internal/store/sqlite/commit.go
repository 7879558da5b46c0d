package sqlite

import (
	"context"
	"fmt"
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
// Pipelining (file databases): the writer connection runs with
// synchronous=NORMAL, so a COMMIT only appends the batch's frames to the WAL,
// and the store then syncs the WAL itself (sync.go) before it tells the
// members their writes are kept. The writer is free again as soon as the
// COMMIT returns: the next batch runs its statements while the previous one's
// fsync is in flight. It does not commit before that fsync has ended; until
// then it stays open ("parked") and takes every caller that arrives, so one
// fsync covers everything that queued during the one before. Two things
// follow, and the crash tests (crash_test.go) hold the store to them:
//   - acknowledged still means on disk: an Update returns nil only after an
//     fsync that began after its COMMIT;
//   - at most one committed transaction is not yet on disk at any moment, so
//     the WAL a power cut leaves has at most one commit frame after the last
//     synced one, which is what walDamage's proof of damage relies on.
// A committed, not yet synced transaction is visible to readers for the
// duration of one fsync; a power cut in that window loses it, and with it
// nothing that was acknowledged.

// Default limits of one batch: it takes no more callers once it has
// maxBatch or has been open for maxBatchTime (a parked batch takes callers
// until its COMMIT, up to maxBatch).
const (
	maxBatch     = 128
	maxBatchTime = 5 * time.Millisecond
	minLinger    = 200 * time.Microsecond
	maxLinger    = time.Millisecond
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
// one), or with ctx's error if ctx ends while c is still queued. A free
// writer with a parked batch hands over that batch.
func (s *Store) wait(ctx context.Context, c *call) (*batch, error) {
	s.mu.Lock()
	if !s.busy {
		s.busy = true
		b := s.parked
		s.parked = nil
		s.mu.Unlock()
		return b, nil
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

// pass hands the writer on after a caller's turn in b: to the next queued
// caller, into b while b can take more; else, while the previous batch's
// fsync is in flight, it parks b for the callers still to come; else it ends
// b (after that fsync, if it must wait for one) and hands the writer to the
// next queued caller, or frees it.
func (s *Store) pass(b *batch) {
	s.mu.Lock()
	if len(s.queue) > 0 && s.open(b) {
		next := s.pop()
		s.mu.Unlock()
		next.turn <- b
		return
	}
	if b.err == nil {
		if s.syncing && len(s.queue) == 0 && b.n < s.maxBatch {
			s.parked = b
			s.busy = false
			if s.lingering != nil && b.n >= s.lingerFor {
				close(s.lingering)
				s.lingering = nil
			}
			s.mu.Unlock()
			return
		}
		for s.syncing { // full or too old: commit once the fsync before it ends
			done := s.synced
			s.mu.Unlock()
			<-done
			s.mu.Lock()
		}
	}
	s.mu.Unlock()
	s.finish(b)
}

// finish ends b, whose caller holds the writer, then hands the writer to the
// next queued caller (who begins a batch) or frees it.
//
// A committed batch's fsync then runs on the calling goroutine (usually a
// member's, which waits for that outcome anyway), after the writer has been
// handed on.
func (s *Store) finish(b *batch) {
	start, syncing := s.end(b)
	s.mu.Lock()
	if len(s.queue) == 0 {
		s.busy = false
		s.mu.Unlock()
	} else {
		next := s.pop()
		s.mu.Unlock()
		next.turn <- nil
	}
	if syncing {
		s.syncBatch(b, start)
	}
}

// pop removes the first queued call; s.mu must be held.
func (s *Store) pop() *call {
	c := s.queue[0]
	s.queue[0] = nil
	s.queue = s.queue[1:]
	return c
}

// end commits b, or rolls it back once lost or when no member kept
// anything, and gives the connection back. A committed batch of a file
// database must then be synced (syncBatch tells its members); end reports
// so, having marked the fsync in flight. Otherwise it tells them here.
func (s *Store) end(b *batch) (start time.Time, syncing bool) {
	err := b.err
	start = time.Now()
	// A batch none of whose members kept anything rolls back: nothing to
	// write or sync.
	kept := err == nil && len(b.waiting) > 0
	if kept {
		if err = b.exec(qCommit); err != nil {
			err = fmt.Errorf("commit: %w", err)
		}
	}
	s.batches.Add(1)
	broken := false
	if (!kept || err != nil) && b.begun && b.exec(qRollback) != nil && b.exec(qRollback) != nil {
		// Failing that twice, the transaction's state is unknown: a file's
		// connection is dropped (a new one starts clean), but an in-memory
		// database lives in its only connection, which is kept.
		broken = s.path != Memory
	}
	if b.c != nil {
		s.writer.put(b.c, broken)
	}
	if kept && err == nil && s.wal != nil {
		s.mu.Lock()
		s.syncing = true
		s.synced = make(chan struct{})
		s.mu.Unlock()
		s.syncs.Add(1)
		return start, true
	}
	s.tell(b, start, err)
	return start, false
}

// tell reports b's outcome to the commit hook and to its waiting members.
func (s *Store) tell(b *batch, start time.Time, err error) {
	if s.OnCommit != nil {
		s.OnCommit(time.Since(start), b.n, err)
	}
	for _, c := range b.waiting {
		c.done <- err
	}
}

// syncBatch syncs the WAL that b's COMMIT appended to and tells b's
// members. What follows — lingering, then committing the batch parked
// meanwhile — runs on a goroutine of its own, so that the caller (usually a
// member) answers its request now.
func (s *Store) syncBatch(b *batch, start time.Time) {
	t0 := time.Now()
	err := s.syncWAL()
	took := time.Since(t0)
	s.tell(b, start, err)
	if err == nil && len(b.waiting) > 1 {
		go func() {
			defer s.syncs.Done()
			s.linger(len(b.waiting), took)
			if next := s.endSync(); next != nil {
				s.finish(next)
			}
		}()
		return
	}
	if next := s.endSync(); next != nil {
		go func() {
			defer s.syncs.Done()
			s.finish(next)
		}()
		return
	}
	s.syncs.Done()
}

// endSync ends the fsync's turn and returns the batch parked meanwhile, if
// any, for the caller to commit: it then holds the writer.
func (s *Store) endSync() *batch {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.syncing = false
	close(s.synced)
	next := s.parked
	if next != nil {
		s.parked = nil
		s.busy = true
	}
	return next
}

// linger holds the next COMMIT back a little after an fsync that
// acknowledged n > 1 members, for them to come back with their next writes:
// concurrent clients otherwise settle into cohorts that alternate between
// the open batch and the fsync (or a lone returning writer commits at once
// and the rest follow it), each cohort paying an fsync of its own. While it
// waits, the fsync counts as in flight, so batches park instead of
// committing. It ends when the parked batch has n more members than it had,
// or after as long as the fsync took (at least minLinger, at most
// maxLinger).
func (s *Store) linger(n int, took time.Duration) {
	s.mu.Lock()
	base := 0
	if s.parked != nil {
		base = s.parked.n
	}
	ch := make(chan struct{})
	s.lingering, s.lingerFor = ch, base+n
	s.mu.Unlock()
	t := time.NewTimer(min(max(took, minLinger), maxLinger))
	select {
	case <-ch:
	case <-t.C:
	}
	t.Stop()
	s.mu.Lock()
	s.lingering = nil
	s.mu.Unlock()
}
