package jobs

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// purger records the cut-offs it is asked for and fails when told to.
type purger struct {
	mu      sync.Mutex
	befores []time.Time
	fail    int // fail this many calls first
	called  chan struct{}
}

func (p *purger) PurgeFinishedJobs(ctx context.Context, before time.Time) (int, error) {
	p.mu.Lock()
	p.befores = append(p.befores, before)
	fail := p.fail > 0
	p.fail--
	p.mu.Unlock()
	select {
	case p.called <- struct{}{}:
	default:
	}
	if fail {
		return 0, errors.New("disk full")
	}
	return 3, nil
}

func TestRetention_RunOnceCutsOffAtKeep(t *testing.T) {
	p := &purger{called: make(chan struct{}, 1)}
	r := NewRetention(p, 720*time.Hour, nil)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	r.Now = func() time.Time { return now }
	n, err := r.RunOnce(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	if want := now.Add(-720 * time.Hour); !p.befores[0].Equal(want) {
		t.Errorf("purged before %v, want %v", p.befores[0], want)
	}
}

func TestRetention_Every(t *testing.T) {
	for keep, want := range map[time.Duration]time.Duration{
		720 * time.Hour:       time.Minute,
		2 * time.Minute:       30 * time.Second,
		time.Second:           250 * time.Millisecond,
		10 * time.Millisecond: 100 * time.Millisecond,
	} {
		if got := NewRetention(&purger{}, keep, nil).Every; got != want {
			t.Errorf("keep %v: every %v, want %v", keep, got, want)
		}
	}
}

func TestRetention_RunPurgesAtOnceAndAgainAfterFailures(t *testing.T) {
	p := &purger{called: make(chan struct{}, 1), fail: 2}
	r := NewRetention(p, time.Hour, nil)
	r.Every = time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		r.Run(ctx)
		close(done)
	}()
	// Two failures, then at least one success: the loop goes on.
	for range 4 {
		select {
		case <-p.called:
		case <-time.After(10 * time.Second):
			t.Fatal("Run stopped purging")
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return when its context ended")
	}
}
