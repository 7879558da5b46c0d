package backend

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestUpdate_TheOnlyWriter: the domain writes only through update, which
// invalidates the read cache; a write anywhere else could leave GetBackend
// answering stale state.
func TestUpdate_TheOnlyWriter(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	writes := regexp.MustCompile(`\.write\(|\.Update\(`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if writes.MatchString(line) && !(f == "cache.go" && strings.Contains(line, "s.write(ctx, fn)")) {
				t.Errorf("%s:%d writes around update: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// TestReadCache_ColdPut: the zero cache (a fresh process) takes its first
// entry.
func TestReadCache_ColdPut(t *testing.T) {
	var c readCache
	k := readKey{app: "a"}
	c.put(0, 0, k, nil)
	if _, ok := c.get(0, k); !ok {
		t.Error("the first entry of a zero cache was not kept")
	}
	if _, ok := c.get(1, k); ok {
		t.Error("an entry of generation 0 served at generation 1")
	}
}

// TestReadCache_Bounded: one generation keeps at most maxCachedAnswers
// answers; the next write starts afresh.
func TestReadCache_Bounded(t *testing.T) {
	var c readCache
	for i := range 2 * maxCachedAnswers {
		c.put(1, 1, readKey{q: string(rune('a' + i))}, i)
	}
	if n := len(c.entries); n != maxCachedAnswers {
		t.Errorf("%d answers kept, want %d", n, maxCachedAnswers)
	}
	if _, ok := c.get(1, readKey{q: "a"}); !ok {
		t.Error("an answer kept before the cache filled up is gone")
	}
	c.put(2, 2, readKey{q: "z"}, 0)
	if len(c.entries) != 1 {
		t.Errorf("a new generation kept %d answers, want 1", len(c.entries))
	}
}
