package sqlite_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/record"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
	"github.com/amplifylite/amplifylite/internal/store/storetest"
)

var p1 = storetest.P1

// openVersion1 returns the path of a database at schema version 1 holding
// storetest.Version1Jobs.
func openVersion1(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "amplifylite.db")
	s, err := sqlite.OpenWith(ctx, path, sqlite.Migrations[:1])
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx backend.Tx) error {
		for _, data := range storetest.Version1Jobs {
			var j backend.Job
			if err := json.Unmarshal([]byte(data), &j); err != nil {
				return err
			}
			err := sqlite.Exec(tx, `INSERT INTO jobs (account, region, app_id, job_id, created, status, due, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				p1.Account, p1.Region, j.AppID, j.ID, j.Created.UnixNano(), j.Status, j.Due.UnixNano(), []byte(data))
			if err != nil {
				return err
			}
			for _, env := range j.Envs {
				err := sqlite.Exec(tx, `INSERT INTO job_envs (account, region, app_id, env, created, job_id, status, operation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
					p1.Account, p1.Region, j.AppID, env, j.Created.UnixNano(), j.ID, j.Status, j.Operation)
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMigrate_JobPayloadsMoveToTheirColumn(t *testing.T) {
	path := openVersion1(t)
	s := openAt(t, path)
	defer s.Close()
	if got, want := sqlite.SchemaVersion(t, s), sqlite.LatestVersion; got != want {
		t.Fatalf("schema version = %d, want %d", got, want)
	}
	if got := sqlite.Scalar(t, s, `SELECT count(*) FROM jobs WHERE instr(CAST(data AS TEXT), '"payload"') > 0`); got != "0" {
		t.Errorf("%s documents still hold a payload", got)
	}
	if got, want := sqlite.Scalar(t, s, `SELECT updated FROM jobs WHERE job_id = 'j1'`), "1767225605123000000"; got != want {
		t.Errorf("j1's updated column = %s, want %s", got, want)
	}
	storetest.CheckVersion1Jobs(t, s)
}

// failing is a migration whose last statement fails after the others
// changed the schema and the data.
var failing = record.Migration{
	`CREATE TABLE extra (x)`,
	`UPDATE jobs SET status = 'CHANGED'`,
	`INSERT INTO no_such_table VALUES (1)`,
}

func TestMigrate_FailureChangesNothing(t *testing.T) {
	ctx := context.Background()
	t.Run("FromTheLastVersion", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "amplifylite.db")
		s := openAt(t, path)
		job := &backend.Job{ID: "j", AppID: "a", Envs: []string{"dev"}, Kind: "Op", Operation: "Op", Status: "COMPLETED"}
		if err := s.Update(ctx, func(tx backend.Tx) error { return tx.PutJob(p1, job) }); err != nil {
			t.Fatal(err)
		}
		s.Close()
		ms := append(sqlite.Migrations[:len(sqlite.Migrations):len(sqlite.Migrations)], failing)
		if s, err := sqlite.OpenWith(ctx, path, ms); err == nil {
			s.Close()
			t.Fatal("Open applied a failing migration")
		} else if !strings.Contains(err.Error(), "no_such_table") {
			t.Errorf("error %q does not say what failed", err)
		}
		s = openAt(t, path)
		defer s.Close()
		if got, want := sqlite.SchemaVersion(t, s), sqlite.LatestVersion; got != want {
			t.Errorf("schema version = %d, want %d", got, want)
		}
		if got := sqlite.Scalar(t, s, `SELECT count(*) FROM sqlite_schema WHERE name = 'extra'`); got != "0" {
			t.Error("the failed migration's table is there")
		}
		if got := sqlite.Scalar(t, s, `SELECT status FROM jobs`); got != "COMPLETED" {
			t.Errorf("job status = %s, want COMPLETED", got)
		}
	})
	t.Run("SeveralPending", func(t *testing.T) {
		path := openVersion1(t)
		ms := append(sqlite.Migrations[:len(sqlite.Migrations):len(sqlite.Migrations)], failing)
		if s, err := sqlite.OpenWith(ctx, path, ms); err == nil {
			s.Close()
			t.Fatal("Open applied a failing migration")
		}
		if _, err := os.Stat(path + ".bak-1"); err != nil {
			t.Errorf("no backup before the failed migration: %v", err)
		}
		// Version 1 still, with the payloads in the documents: the
		// migrations before the failing one were not kept either.
		s, err := sqlite.OpenWith(ctx, path, sqlite.Migrations[:1])
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if got := sqlite.SchemaVersion(t, s); got != 1 {
			t.Errorf("schema version = %d, want 1", got)
		}
		if got := sqlite.Scalar(t, s, `SELECT count(*) FROM jobs WHERE instr(CAST(data AS TEXT), '"payload"') > 0`); got != "2" {
			t.Errorf("%s of 2 documents hold their payload", got)
		}
	})
}

func TestMigrate_BackupBeforeUpgrade(t *testing.T) {
	ctx := context.Background()
	path := openVersion1(t)
	// A stale backup of the same version is replaced, not kept.
	if err := os.WriteFile(path+".bak-1", []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, path)
	// The WAL the migration wrote is checkpointed and truncated at once.
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() != 0 {
		t.Errorf("WAL after the migration: %v bytes, %v; want 0", fi.Size(), err)
	}
	storetest.CheckVersion1Jobs(t, s)
	s.Close()

	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".new-") {
			t.Errorf("%s left in the data directory", e.Name())
		}
	}
	// The backup is the database as it was: version 1, payloads in the
	// documents. (A copy is opened: opening switches it to WAL.)
	backup := filepath.Join(t.TempDir(), "backup.db")
	copyFile(t, path+".bak-1", backup)
	b, err := sqlite.OpenWith(ctx, backup, sqlite.Migrations[:1])
	if err != nil {
		t.Fatalf("open the backup: %v", err)
	}
	defer b.Close()
	if got := sqlite.SchemaVersion(t, b); got != 1 {
		t.Errorf("backup at version %d, want 1", got)
	}
	if got := sqlite.Scalar(t, b, `SELECT count(*) FROM jobs WHERE instr(CAST(data AS TEXT), '"payload"') > 0`); got != "2" {
		t.Errorf("%s of the backup's 2 documents hold their payload", got)
	}

	// A database already at the last version is not copied again.
	if err := os.Remove(path + ".bak-1"); err != nil {
		t.Fatal(err)
	}
	openAt(t, path).Close()
	if _, err := os.Stat(path + ".bak-1"); !os.IsNotExist(err) {
		t.Errorf("a current database was backed up again (%v)", err)
	}
}

func TestMigrate_NoUpgradeWithoutBackup(t *testing.T) {
	path := openVersion1(t)
	// A directory where the backup goes: it cannot be written.
	if err := os.Mkdir(path+".bak-1", 0o755); err != nil {
		t.Fatal(err)
	}
	if s, err := sqlite.Open(context.Background(), path); err == nil {
		s.Close()
		t.Fatal("Open migrated a database it could not back up")
	} else if !strings.Contains(err.Error(), "back up version 1") {
		t.Errorf("error %q does not say the backup failed", err)
	}
	s, err := sqlite.OpenWith(context.Background(), path, sqlite.Migrations[:1])
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := sqlite.SchemaVersion(t, s); got != 1 {
		t.Errorf("schema version = %d, want 1 (untouched)", got)
	}
}

// TestMigrate_ConcurrentOpens opens one version-1 database from several
// Stores at once: one migrates, every one opens it, and the backup is of
// version 1 (a copy taken after another Store migrated is dropped).
func TestMigrate_ConcurrentOpens(t *testing.T) {
	ctx := context.Background()
	path := openVersion1(t)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			s, err := sqlite.Open(ctx, path)
			if err != nil {
				t.Error(err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	s := openAt(t, path)
	storetest.CheckVersion1Jobs(t, s)
	s.Close()
	b, err := sqlite.OpenWith(ctx, path+".bak-1", sqlite.Migrations[:1])
	if err != nil {
		t.Fatalf("open the backup: %v", err)
	}
	defer b.Close()
	if got := sqlite.SchemaVersion(t, b); got != 1 {
		t.Errorf("backup at version %d, want 1", got)
	}
	if left, _ := filepath.Glob(path + ".bak-1.new-*"); len(left) > 0 {
		t.Errorf("copies left behind: %v", left)
	}
}
