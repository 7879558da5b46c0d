package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// fakeFinisher fails its first `failures` rounds, then succeeds.
type fakeFinisher struct {
	mu       sync.Mutex
	failures int
	rounds   int
	next     time.Time // NextDue's answer; zero = none
	nextErr  error     // NextDue's error
	wake     chan struct{}
}

func (f *fakeFinisher) FinishDueJobs(ctx context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rounds++
	if f.rounds <= f.failures {
		return 0, errors.New("disk full")
	}
	return 1, nil
}

func (f *fakeFinisher) NextDue(context.Context) (time.Time, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.next, !f.next.IsZero(), f.nextErr
}

func (f *fakeFinisher) Woken() <-chan struct{} { return f.wake }

// records keeps every log record.
type records struct {
	mu   sync.Mutex
	list []slog.Record
}

func (h *records) Enabled(context.Context, slog.Level) bool { return true }
func (h *records) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.list = append(h.list, r)
	return nil
}
func (h *records) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *records) WithGroup(string) slog.Handler      { return h }

func (h *records) count(level slog.Level) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.list {
		if r.Level == level {
			n++
		}
	}
	return n
}

func TestBackoff_DoublesUpToTheCapWithJitter(t *testing.T) {
	min, max := 100*time.Millisecond, 3*time.Second
	for _, tt := range []struct {
		n    int
		u    float64
		want time.Duration
	}{
		{1, 0, 100 * time.Millisecond},
		{2, 0, 200 * time.Millisecond},
		{3, 0, 400 * time.Millisecond},
		{5, 0, 1600 * time.Millisecond},
		{6, 0, 3 * time.Second}, // 3.2 s capped
		{1000, 0, 3 * time.Second},
		{3, 0.5, 300 * time.Millisecond},
		{6, 0.999999, 1500*time.Millisecond + 1500},
	} {
		if got := backoff(tt.n, min, max, tt.u); got != tt.want {
			t.Errorf("backoff(%d, u=%v) = %v, want %v", tt.n, tt.u, got, tt.want)
		}
	}
}

// TestRun_BacksOffLogsOnceAndRecovers: failed rounds are retried after
// growing waits (not at once), logged once when the runner becomes degraded
// and once when it recovers, and Health tells which state it is in.
func TestRun_BacksOffLogsOnceAndRecovers(t *testing.T) {
	f := &fakeFinisher{failures: 6, wake: make(chan struct{})}
	logs := &records{}
	r := New(f, slog.New(logs))
	r.MinBackoff, r.MaxBackoff, r.MaxSleep = time.Millisecond, 8*time.Millisecond, time.Hour
	type state struct {
		wait time.Duration
		ok   bool
	}
	waits := make(chan state, 100)
	r.waited = func(d time.Duration) {
		ok, _ := r.Health()
		waits <- state{d, ok}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	var got []state
	for len(got) < 7 {
		select {
		case s := <-waits:
			got = append(got, s)
		case <-done:
			t.Fatalf("Run returned after %d rounds", len(got)+1)
		}
	}
	cancel()
	<-done
	for i, s := range got[:6] {
		full := min(time.Millisecond<<i, 8*time.Millisecond)
		if s.ok || s.wait < full/2 || s.wait > full {
			t.Errorf("failed round %d: wait %v (want %v–%v), healthy %v", i+1, s.wait, full/2, full, s.ok)
		}
	}
	if last := got[6]; !last.ok || last.wait != time.Hour {
		t.Errorf("after recovery: %+v, want healthy and MaxSleep", last)
	}
	if n := logs.count(slog.LevelError); n != 1 {
		t.Errorf("%d error lines for 6 failed rounds, want 1", n)
	}
	if n := logs.count(slog.LevelInfo); n != 1 {
		t.Errorf("%d info lines, want 1 (the recovery)", n)
	}
}

// TestRun_SleepsUntilTheNextJobOrAWakeUp: after a successful round the runner
// waits until the next job is due (bounded by MaxSleep), and a wake-up makes
// it look again at once.
func TestRun_SleepsUntilTheNextJobOrAWakeUp(t *testing.T) {
	f := &fakeFinisher{wake: make(chan struct{}), next: time.Now().Add(time.Hour)}
	r := New(f, nil)
	r.MaxSleep = 10 * time.Minute
	waits := make(chan time.Duration, 10)
	r.waited = func(d time.Duration) {
		select {
		case waits <- d:
		default: // an overdue job makes it spin in this fake: keep the first ones
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	if d := <-waits; d != 10*time.Minute {
		t.Errorf("wait with the next job an hour away: %v, want MaxSleep", d)
	}
	f.mu.Lock()
	f.next = time.Now().Add(-time.Second)
	f.mu.Unlock()
	f.wake <- struct{}{}
	if d := <-waits; d != 0 {
		t.Errorf("wait with a job overdue: %v, want 0", d)
	}
	cancel()
	<-done
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rounds < 2 {
		t.Errorf("%d rounds", f.rounds)
	}
}

func TestRun_StopsWithItsContext(t *testing.T) {
	f := &fakeFinisher{wake: make(chan struct{})}
	r := New(f, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r.Run(ctx) // returns at once: the test would time out otherwise
}

// dueFinisher is a fakeFinisher that says what woke the runner.
type dueFinisher struct {
	fakeFinisher
	wokenDue time.Time // the earliest due time told of
	full     bool      // a wake-up asked for a full look
}

func (f *dueFinisher) WokenDue() (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, full := f.wokenDue, f.full
	f.wokenDue, f.full = time.Time{}, false
	return d, !full
}

// wakeFull wakes the runner for a full look.
func (f *dueFinisher) wakeFull() {
	f.mu.Lock()
	f.full = true
	f.mu.Unlock()
	f.wake <- struct{}{}
}

// wakeFor wakes the runner about a job due at due. The runner may take
// the due times of several wake-ups at once: the earliest counts.
func (f *dueFinisher) wakeFor(due time.Time) {
	f.mu.Lock()
	if f.wokenDue.IsZero() || due.Before(f.wokenDue) {
		f.wokenDue = due
	}
	f.mu.Unlock()
	f.wake <- struct{}{}
}

func (f *dueFinisher) roundsSoFar() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rounds
}

// TestRun_WakeUpsForLaterJobsNeedNoRound: a job created due after the
// runner's next look costs no round; one due before it moves the look to its
// due time; a wake-up that is not about a created job still runs a round.
func TestRun_WakeUpsForLaterJobsNeedNoRound(t *testing.T) {
	f, waits := runDue(t, func(r *Runner, ctx context.Context) { r.Run(ctx) })
	<-waits // the first round, then sleeping for MaxSleep
	laterThenSooner(t, f, waits, 1)
	f.wakeFull()
	awaitRound(t, waits, "after a plain wake-up")
}

// runDue runs a runner with run over a dueFinisher whose next job is an
// hour away (MaxSleep: 10 minutes) until the test ends, and returns the
// finisher and the waits the runner reports after each round.
func runDue(t *testing.T, run func(*Runner, context.Context)) (*dueFinisher, <-chan time.Duration) {
	f := &dueFinisher{fakeFinisher: fakeFinisher{wake: make(chan struct{}), next: time.Now().Add(time.Hour)}}
	r := New(f, nil)
	r.MaxSleep = 10 * time.Minute
	waits := make(chan time.Duration, 10)
	r.waited = func(d time.Duration) { waits <- d }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); run(r, ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return f, waits
}

// awaitRound waits up to 5 s for the runner's next round to end.
func awaitRound(t *testing.T, waits <-chan time.Duration, when string) {
	t.Helper()
	select {
	case <-waits:
	case <-time.After(5 * time.Second):
		t.Fatal("no round " + when)
	}
}

func TestFirstWait_UntilTheFirstDueJob(t *testing.T) {
	for _, tc := range []struct {
		name  string
		next  time.Time
		err   error
		least time.Duration
		most  time.Duration
	}{
		{"no running job", time.Time{}, nil, 10 * time.Minute, 10 * time.Minute},
		{"one due after MaxSleep", time.Now().Add(time.Hour), nil, 10 * time.Minute, 10 * time.Minute},
		{"one due in a minute", time.Now().Add(time.Minute), nil, 50 * time.Second, time.Minute},
		{"one overdue", time.Now().Add(-time.Minute), nil, 0, 0},
		{"the store failing", time.Time{}, errors.New("disk I/O error"), 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := New(&fakeFinisher{next: tc.next, nextErr: tc.err}, nil)
			r.MaxSleep = 10 * time.Minute
			if got := r.FirstWait(context.Background()); got < tc.least || got > tc.most {
				t.Errorf("FirstWait = %v, want between %v and %v", got, tc.least, tc.most)
			}
		})
	}
}

// TestRunAfter_FirstRoundWaits: no round before the first wait ends, unless
// a job created meanwhile is due sooner.
func TestRunAfter_FirstRoundWaits(t *testing.T) {
	f, waits := runDue(t, func(r *Runner, ctx context.Context) { r.RunAfter(ctx, 10*time.Minute) })
	laterThenSooner(t, f, waits, 0)
}

// laterThenSooner checks that wake-ups for jobs due after the runner's next
// look cost no round (the rounds so far stay n), and that one for a job due
// in 50 ms moves the look there (a round ends: n+1 in all).
func laterThenSooner(t *testing.T, f *dueFinisher, waits <-chan time.Duration, n int) {
	t.Helper()
	for range 5 {
		f.wakeFor(time.Now().Add(time.Hour))
	}
	time.Sleep(20 * time.Millisecond)
	if got := f.roundsSoFar(); got != n {
		t.Fatalf("%d rounds after wake-ups for jobs due later, want %d", got, n)
	}
	f.wakeFor(time.Now().Add(50 * time.Millisecond))
	awaitRound(t, waits, "at the sooner job's due time")
	if got := f.roundsSoFar(); got != n+1 {
		t.Fatalf("%d rounds, want %d", got, n+1)
	}
}
