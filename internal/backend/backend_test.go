package backend

import (
	"regexp"
	"testing"
	"time"
)

func TestNewID_VersionFourShapeInCreationOrder(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	prev := ""
	for i := range 2000 {
		id := newID()
		if !re.MatchString(id) {
			t.Fatalf("id %q is not shaped like a version-4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("id %q handed out twice", id)
		}
		seen[id] = true
		if i%500 == 0 {
			time.Sleep(2 * time.Millisecond)
		}
		// Ids of different milliseconds sort in creation order.
		if prev != "" && id[:13] < prev[:13] {
			t.Fatalf("id %q sorts before the earlier %q", id, prev)
		}
		prev = id
	}
}

func TestWokenDue_EarliestCreatedJobOrAFullLook(t *testing.T) {
	s := &Service{wake: make(chan struct{}, 1)}
	if _, ok := s.WokenDue(); !ok {
		t.Error("nothing happened, yet a full look is asked for")
	}
	t0 := time.Now()
	s.notifyDue(t0.Add(time.Minute))
	s.notifyDue(t0.Add(time.Second))
	s.notifyDue(t0.Add(time.Hour))
	if due, ok := s.WokenDue(); !ok || !due.Equal(t0.Add(time.Second)) {
		t.Errorf("WokenDue = %v, %v; want the earliest due time, ok", due, ok)
	}
	if due, ok := s.WokenDue(); !ok || !due.IsZero() {
		t.Errorf("asked again: %v, %v; want nothing new", due, ok)
	}
	s.notifyDue(t0.Add(time.Second))
	s.notify() // due times may have changed
	if _, ok := s.WokenDue(); ok {
		t.Error("after notify, WokenDue does not ask for a full look")
	}
	select {
	case <-s.Woken():
	default:
		t.Error("no wake-up was signalled")
	}
}
