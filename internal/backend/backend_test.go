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
