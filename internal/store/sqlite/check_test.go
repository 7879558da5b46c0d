package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

var part = backend.Partition{Account: "123456789012", Region: "us-east-1"}

// fill writes n apps, with an environment and two jobs each, in n
// transactions: data on many pages of every kind of b-tree.
func fill(t testing.TB, s *sqlite.Store, n int) {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		err := s.Update(ctx, func(tx backend.Tx) error {
			id := fmt.Sprintf("app%04d", i)
			if err := tx.PutApp(part, &backend.App{ID: id, Name: strings.Repeat("n", 300), Created: base}); err != nil {
				return err
			}
			if err := tx.PutEnv(part, &backend.Env{AppID: id, Name: "dev", Created: base}); err != nil {
				return err
			}
			for j := range 2 {
				at := base.Add(time.Duration(j) * time.Second)
				job := &backend.Job{ID: fmt.Sprintf("job%d", j), AppID: id, Envs: []string{"dev"}, Kind: "create",
					Operation: "CreateBackend", Status: backend.StatusCompleted, Created: at, Updated: at, Due: at,
					Payload: []byte(`{"appId":"` + id + `"}`)}
				if err := tx.PutJob(part, job); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// healthy returns the path of a closed database holding n apps.
func healthy(t testing.TB, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "amplifylite.db")
	s := openAt(t, path)
	fill(t, s, n)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// pageSize reads the page size from the database header.
func pageSize(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hdr := make([]byte, 100)
	if _, err := f.ReadAt(hdr, 0); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(hdr, []byte("SQLite format 3\x00")) {
		t.Fatalf("%s has no SQLite header", path)
	}
	if n := binary.BigEndian.Uint16(hdr[16:]); n != 1 {
		return int64(n)
	}
	return 65536
}

// scribble overwrites size bytes at off with random ones.
func scribble(t *testing.T, path string, off, size int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	junk := make([]byte, size)
	rng := rand.NewChaCha8([32]byte{byte(off), byte(off >> 8), byte(off >> 16)})
	rng.Read(junk)
	if _, err := f.WriteAt(junk, off); err != nil {
		t.Fatal(err)
	}
}

// damagePages overwrites pages first..last (numbered from 1) with random bytes.
func damagePages(t *testing.T, path string, first, last int64) {
	t.Helper()
	ps := pageSize(t, path)
	scribble(t, path, (first-1)*ps, (last-first+1)*ps)
}

// pages returns the number of pages in the file at path.
func pages(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size() / pageSize(t, path)
}

// copyFile copies src to dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// mustRefuse checks that Open fails on path with a *DamagedError whose
// message names the file and says what to do, and leaves the file as it was.
func mustRefuse(t *testing.T, path string) *sqlite.DamagedError {
	t.Helper()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(context.Background(), path)
	if err == nil {
		s.Close()
		t.Fatalf("Open accepted the damaged %s", path)
	}
	var damaged *sqlite.DamagedError
	if !errors.As(err, &damaged) {
		t.Fatalf("Open: %v, want a *DamagedError", err)
	}
	msg := err.Error()
	for _, want := range []string{"database " + path + " is damaged", "restore it from a backup",
		"move it aside", "`amplifylite check --data-dir " + filepath.Dir(path) + "`"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Open's error lacks %q:\n%s", want, msg)
		}
	}
	if damaged.Path != path || len(damaged.Problems) == 0 {
		t.Errorf("DamagedError = %+v", damaged)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("Open changed the damaged file")
	}
	t.Log(msg)
	return damaged
}

// mustFindDamage checks that Check reports damage in the file at path.
func mustFindDamage(t *testing.T, path string) *sqlite.DamagedError {
	t.Helper()
	err := sqlite.Check(context.Background(), path)
	var damaged *sqlite.DamagedError
	if !errors.As(err, &damaged) {
		t.Fatalf("Check: %v, want a *DamagedError", err)
	}
	return damaged
}

// checkModes runs fn once with Open checking by quick_check and once by
// the b-tree walk.
func checkModes(t *testing.T, fn func(t *testing.T, check string)) {
	t.Run("quick_check", func(t *testing.T) { fn(t, "quick_check") })
	t.Run("walk", func(t *testing.T) {
		sqlite.SetQuickCheckMax(t, 0)
		fn(t, "b-tree walk")
	})
}

func TestOpen_RefusesDamagedFile(t *testing.T) {
	checkModes(t, func(t *testing.T, check string) {
		t.Run("HealthyOpens", func(t *testing.T) {
			path := healthy(t, 100)
			s := openAt(t, path)
			defer s.Close()
			err := s.View(context.Background(), func(tx backend.Tx) error {
				a, err := tx.App(part, "app0099")
				if err == nil && a == nil {
					err = errors.New("app0099 missing")
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
		t.Run("PagesInTheMiddle", func(t *testing.T) {
			path := healthy(t, 100)
			n := pages(t, path)
			if n < 20 {
				t.Fatalf("only %d pages", n)
			}
			damagePages(t, path, n/2, n/2+2)
			if got := mustRefuse(t, path).Check; got != check {
				t.Errorf("found by %s, want %s", got, check)
			}
			mustFindDamage(t, path)
		})
		t.Run("Truncated", func(t *testing.T) {
			path := healthy(t, 100)
			if err := os.Truncate(path, pages(t, path)/2*pageSize(t, path)); err != nil {
				t.Fatal(err)
			}
			if got := mustRefuse(t, path).Problems[0]; !strings.Contains(got, "truncated") {
				t.Errorf("first problem %q, want the file called truncated", got)
			}
			mustFindDamage(t, path)
		})
		t.Run("NotADatabase", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "amplifylite.db")
			if err := os.WriteFile(path, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			scribble(t, path, 0, 64<<10)
			if got := mustRefuse(t, path).Problems[0]; !strings.Contains(got, "not a database") {
				t.Errorf("first problem %q, want the file called not a database", got)
			}
			mustFindDamage(t, path)
		})
		t.Run("EveryBTree", func(t *testing.T) {
			// Damaging the root page of any table or index is found.
			src := healthy(t, 100)
			for name, root := range roots(t, src) {
				path := filepath.Join(t.TempDir(), "amplifylite.db")
				copyFile(t, src, path)
				damagePages(t, path, root, root)
				if s, err := sqlite.Open(context.Background(), path); err == nil {
					s.Close()
					t.Errorf("Open accepted a database whose %s (root page %d) is damaged", name, root)
				}
			}
		})
	})
}

// roots returns the root page of every table and index b-tree of the
// database at path, except sqlite_schema's (page 1).
func roots(t *testing.T, path string) map[string]int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name, rootpage FROM sqlite_schema WHERE rootpage > 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	seen := map[int64]bool{}
	for rows.Next() {
		var name string
		var root int64
		if err := rows.Scan(&name, &root); err != nil {
			t.Fatal(err)
		}
		if !seen[root] {
			seen[root], out[name] = true, root
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("only %d b-trees: %v", len(out), out)
	}
	return out
}

// crashCopy returns the path of a copy of the database file and WAL of an
// open Store that has committed n transactions since it opened: what a
// crash leaves behind, WAL not yet checkpointed.
func crashCopy(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "amplifylite.db")
	s := openAt(t, path)
	defer s.Close()
	sqlite.CheckpointEvery(t, s, 1000) // SQLite's default: ReusedAfterCheckpoint needs a reused WAL
	fill(t, s, n)
	dst := filepath.Join(t.TempDir(), "amplifylite.db")
	copyFile(t, path, dst)
	copyFile(t, path+"-wal", dst+"-wal")
	return dst
}

// walFrame returns the offset and size of frame n (from 1) of the WAL at
// path, and the number of frames.
func walFrame(t *testing.T, path string, n int64) (off, size, frames int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	size = 24 + int64(binary.BigEndian.Uint32(b[8:]))
	return 32 + (n-1)*size, size, (int64(len(b)) - 32) / size
}

// appCount returns the number of apps in the Store at path.
func appCount(t *testing.T, path string) (n int) {
	t.Helper()
	s := openAt(t, path)
	defer s.Close()
	err := s.View(context.Background(), func(tx backend.Tx) error {
		for i := 0; ; i++ {
			a, err := tx.App(part, fmt.Sprintf("app%04d", i))
			if err != nil || a == nil {
				return err
			}
			n++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOpen_WAL(t *testing.T) {
	t.Run("AppliedAndChecked", func(t *testing.T) {
		path := crashCopy(t, 30)
		if got := appCount(t, path); got != 30 {
			t.Errorf("%d apps after the crash, want 30", got)
		}
	})
	t.Run("ReusedAfterCheckpointIsNotDamage", func(t *testing.T) {
		// Past 1000 pages (crashCopy's setting) the WAL is checkpointed and written again from
		// its start, with new salts: the older frames after the newest are
		// not part of the log.
		path := crashCopy(t, 250)
		if stale := staleFrames(t, path+"-wal"); stale == 0 {
			t.Fatal("the WAL was not reused: no frames of an older generation")
		}
		if got := appCount(t, path); got != 250 {
			t.Errorf("%d apps after the crash, want 250", got)
		}
	})
	t.Run("TornLastTransactionIsNotDamage", func(t *testing.T) {
		path := crashCopy(t, 30)
		_, size, frames := walFrame(t, path+"-wal", 1)
		scribble(t, path+"-wal", 32+(frames-1)*size+100, 200) // the last frame: the last commit
		if got := appCount(t, path); got != 29 {
			t.Errorf("%d apps after a crash that tore the last transaction, want 29", got)
		}
	})
	t.Run("DamagedFrameInTheMiddle", func(t *testing.T) {
		path := crashCopy(t, 30)
		_, size, frames := walFrame(t, path+"-wal", 1)
		off, _, _ := walFrame(t, path+"-wal", frames/2)
		scribble(t, path+"-wal", off, 3*size) // three whole frames
		if got := mustRefuse(t, path).Check; got != "WAL scan" {
			t.Errorf("found by %s, want WAL scan", got)
		}
		if got := mustFindDamage(t, path).Check; got != "WAL scan" {
			t.Errorf("Check: found by %s, want WAL scan", got)
		}
	})
	t.Run("DamagedPageData", func(t *testing.T) {
		path := crashCopy(t, 30)
		off, _, frames := walFrame(t, path+"-wal", 4)
		if frames < 10 {
			t.Fatalf("only %d frames", frames)
		}
		scribble(t, path+"-wal", off+24+1000, 8) // inside frame 4's page
		mustRefuse(t, path)
	})
}

// staleFrames returns the number of frames in the WAL at path whose salts
// are not the header's.
func staleFrames(t *testing.T, path string) (n int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	size := 24 + int(binary.BigEndian.Uint32(b[8:]))
	for off := 32; off+size <= len(b); off += size {
		if !bytes.Equal(b[off+8:off+16], b[16:24]) {
			n++
		}
	}
	return n
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	t.Run("Healthy", func(t *testing.T) {
		path := healthy(t, 50)
		before := dirNames(t, filepath.Dir(path))
		if err := sqlite.Check(ctx, path); err != nil {
			t.Fatal(err)
		}
		if got := dirNames(t, filepath.Dir(path)); !slices.Equal(got, before) {
			t.Errorf("Check left %v, want %v", got, before)
		}
	})
	t.Run("HealthyWithWAL", func(t *testing.T) {
		path := crashCopy(t, 30)
		if err := sqlite.Check(ctx, path); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("NoDatabase", func(t *testing.T) {
		dir := t.TempDir()
		err := sqlite.Check(ctx, filepath.Join(dir, "amplifylite.db"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Check of a missing file: %v, want fs.ErrNotExist", err)
		}
		if got := dirNames(t, dir); len(got) > 0 {
			t.Errorf("Check created %v", got)
		}
	})
	t.Run("EmptyFileIsANewDatabase", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "amplifylite.db")
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := sqlite.Check(ctx, path); err != nil {
			t.Errorf("Check of a zero-length file: %v", err)
		}
	})
	t.Run("ReportsEveryProblem", func(t *testing.T) {
		path := healthy(t, 100)
		n := pages(t, path)
		damagePages(t, path, n/4, n/4)
		damagePages(t, path, 3*n/4, 3*n/4)
		d := mustFindDamage(t, path)
		if d.Check != "integrity_check" || len(d.Problems) < 2 {
			t.Errorf("Check found %s %q, want integrity_check's problems with both pages", d.Check, d.Problems)
		}
	})
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestPartialWhere(t *testing.T) {
	for _, tc := range []struct{ sql, want string }{
		{`CREATE INDEX i ON t (a, b)`, ``},
		{`CREATE INDEX jobs_running_by_due ON jobs (due, account) WHERE status = 'RUNNING'`, `status = 'RUNNING'`},
		{`CREATE INDEX "x(" ON t (lower(a), "b)") where a > (1)`, `a > (1)`},
		{`CREATE UNIQUE INDEX i ON t (a) WHERE b = ')' AND c`, `b = ')' AND c`},
	} {
		if got := sqlite.PartialWhere(tc.sql); got != tc.want {
			t.Errorf("partialWhere(%s) = %q, want %q", tc.sql, got, tc.want)
		}
	}
}
