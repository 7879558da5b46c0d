package sqlite_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
	"github.com/amplifylite/amplifylite/internal/store/storetest"
)

func openAt(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	return storetest.MustOpen(t, sqlite.Open, path)
}

func TestStore_File(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) backend.Store {
			return openAt(t, filepath.Join(t.TempDir(), "data", "amplifylite.db"))
		},
		Reopen: func(t *testing.T, s backend.Store) backend.Store {
			path := s.(*sqlite.Store).Path()
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			return openAt(t, path)
		},
	})
}

func TestStore_Memory(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) backend.Store { return openAt(t, sqlite.Memory) },
	})
}

// TestStore_ReadsDoNotWaitForWrites holds a write transaction open and
// checks that a View still completes, seeing the last committed state.
func TestStore_ReadsDoNotWaitForWrites(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "x.db"))
	defer s.Close()
	ctx := context.Background()
	p := backend.Partition{Account: "1", Region: "r"}
	if err := s.Update(ctx, func(tx backend.Tx) error { return tx.PutApp(p, &backend.App{ID: "a", Name: "v1"}) }); err != nil {
		t.Fatal(err)
	}
	inWrite, release := make(chan struct{}), make(chan struct{})
	writeDone := make(chan error)
	go func() {
		writeDone <- s.Update(ctx, func(tx backend.Tx) error {
			if err := tx.PutApp(p, &backend.App{ID: "a", Name: "v2"}); err != nil {
				return err
			}
			close(inWrite)
			<-release
			return nil
		})
	}()
	<-inWrite
	viewCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var got string
	err := s.View(viewCtx, func(tx backend.Tx) error {
		a, err := tx.App(p, "a")
		if a != nil {
			got = a.Name
		}
		return err
	})
	close(release)
	if err != nil {
		t.Fatalf("View during a write: %v", err)
	}
	if got != "v1" {
		t.Errorf("View during a write saw %q, want the committed %q", got, "v1")
	}
	if err := <-writeDone; err != nil {
		t.Fatal(err)
	}
}

func TestOpen_Pragmas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "x.db")
	s := openAt(t, path)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	// Opening again applies no migration and keeps the settings.
	s = openAt(t, path)
	defer s.Close()
	// The writer's synchronous is NORMAL (1): the store fsyncs the WAL itself
	// before acknowledging (TestCrash_* hold it to that).
	// It checkpoints at 4000 WAL pages rather than SQLite's 1000 (params).
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "1", "foreign_keys": "1", "wal_autocheckpoint": "4000"} {
		if got := sqlite.Pragma(t, s, pragma); got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	if got, want := sqlite.SchemaVersion(t, s), sqlite.LatestVersion; got != want {
		t.Errorf("schema version = %d, want %d", got, want)
	}
}

func TestOpen_RefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	s := openAt(t, path)
	sqlite.SetSchemaVersion(t, s, sqlite.LatestVersion+1)
	s.Close()
	s, err := sqlite.Open(context.Background(), path)
	storetest.CheckRefusesNewer(t, s, err, sqlite.LatestVersion+1)
	if matches, _ := filepath.Glob(path + ".bak-*"); len(matches) > 0 {
		t.Errorf("a newer database was backed up: %v", matches)
	}
}

// TestQueries_Prepare checks that every statement compiles against the
// schema: they are prepared only on first use.
func TestQueries_Prepare(t *testing.T) {
	s := openAt(t, sqlite.Memory)
	defer s.Close()
	for _, q := range sqlite.Queries {
		if err := sqlite.Prepare(t, s, q); err != nil {
			t.Errorf("%v\n%s", err, q)
		}
	}
}

func TestOpen_Fresh(t *testing.T) {
	check := func(t *testing.T, s *sqlite.Store) {
		t.Helper()
		if got := sqlite.Pragma(t, s, "journal_mode"); got != "wal" {
			t.Errorf("journal_mode = %s, want wal", got)
		}
		if got, want := sqlite.SchemaVersion(t, s), sqlite.LatestVersion; got != want {
			t.Errorf("schema version = %d, want %d", got, want)
		}
	}
	t.Run("NothingLeftBehind", func(t *testing.T) {
		dir := t.TempDir()
		s := openAt(t, filepath.Join(dir, "x.db"))
		check(t, s)
		s.Close()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() != "x.db" {
				t.Errorf("%s left in the data directory", e.Name())
			}
		}
	})
	t.Run("ConcurrentOpensShareOneDatabase", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.db")
		secrets := make([][]byte, 8)
		var wg sync.WaitGroup
		for i := range secrets {
			wg.Go(func() {
				s, err := sqlite.Open(context.Background(), path)
				if err != nil {
					t.Error(err)
					return
				}
				defer s.Close()
				secrets[i], err = s.Secret(context.Background())
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		for i, sec := range secrets {
			if len(sec) == 0 || !bytes.Equal(sec, secrets[0]) {
				t.Errorf("Store %d has secret %x, Store 0 %x", i, sec, secrets[0])
			}
		}
	})
	t.Run("EmptyFileBuiltInPlace", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.db")
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		s := openAt(t, path)
		defer s.Close()
		check(t, s)
	})
}
