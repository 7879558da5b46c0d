package sqlite

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// TestCreate_DirectorySyncedBeforeFirstWrite: a new database file is synced
// before it is linked into place (under its temporary name), and its
// directory, which holds the link, is synced before the first write is
// acknowledged (create leaves that to the first WAL sync).
func TestCreate_DirectorySyncedBeforeFirstWrite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "amplifylite.db")
	var mu sync.Mutex
	var paths []string // synced under dir, in order
	fn := func(p string) {
		if p == dir || strings.HasPrefix(p, dir+string(filepath.Separator)) {
			mu.Lock()
			paths = append(paths, p)
			mu.Unlock()
		}
	}
	synced.Store(&fn)
	t.Cleanup(func() { synced.Store(nil) })
	syncedSoFar := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(paths)
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := syncedSoFar()
	if len(got) == 0 || !strings.HasPrefix(got[0], path+".new-") {
		t.Fatalf("synced by Open: %q, want the new file first, under its temporary name", got)
	}
	err = s.Update(ctx, func(btx backend.Tx) error {
		return btx.(*tx).c.exec(ctx, `INSERT INTO meta (key, value) VALUES ('test', x'00')`)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := syncedSoFar(); !slices.Contains(got, dir) {
		t.Errorf("synced by Open and the first write: %q, want the directory among them", got)
	}
}
