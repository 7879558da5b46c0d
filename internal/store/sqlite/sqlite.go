// Package sqlite is the embedded, durable backend.Store: one SQLite database
// file in WAL mode (modernc.org/sqlite, no cgo), or a private in-memory
// database with the same semantics.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/record"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

var _ backend.Store = (*Store)(nil)

// Memory is the path that opens a private in-memory database.
const Memory = ":memory:"

// Store is a backend.Store on SQLite. Writes go through one connection, where
// concurrent Updates are group-committed (see Update); in file mode View
// transactions run on a pool of readers and read a snapshot without waiting
// for writers.
type Store struct {
	path       string
	file       string             // absolute path of the database file; "" in memory
	migrations []record.Migration // the schema's, or a test's
	writer     *pool              // one connection
	readers    *pool              // == writer in memory mode
	secret     []byte

	mu      sync.Mutex
	busy    bool    // an Update holds the writer
	queue   []*call // Updates waiting for it, in arrival order
	batches atomic.Int64

	wal *walSyncer // nil in memory mode

	maxBatch     int
	maxBatchTime time.Duration

	// fault, set by tests only, fails a statement of the group commit
	// protocol (BEGIN, SAVEPOINT, RELEASE, ...) before it runs.
	fault func(query string) error

	// OnCommit, when set before the first Update, is told of every batch's
	// end: how long its COMMIT took (the WAL fsync included), how many Updates
	// shared the transaction, and the outcome.
	OnCommit func(commit time.Duration, batch int, err error)

	closeOnce sync.Once
	closeErr  error
}

// Open opens (creating if needed) the database at path, or a private
// in-memory database when path is Memory, and applies pending migrations.
// It first checks the integrity of a file that already exists (see
// check.go), and fails with a *DamagedError when it is damaged. A file of
// zero bytes is an empty database: Open builds one in it.
func Open(ctx context.Context, path string) (*Store, error) {
	s, err := open(ctx, path, migrations)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return s, nil
}

// open opens the database at path with the schema of ms.
func open(ctx context.Context, path string, ms []record.Migration) (*Store, error) {
	s := &Store{path: path, migrations: ms, maxBatch: maxBatch, maxBatchTime: maxBatchTime}
	var err error
	if path == Memory {
		err = s.openMemory()
	} else if err = s.openFile(ctx, path); err == nil && s.secret == nil {
		err = s.verify(ctx) // the file was there already
	}
	if err == nil && s.secret == nil {
		err = s.loadSecret(ctx)
	}
	if corrupt(err) && s.file != "" {
		err = &DamagedError{Path: s.file, Check: "open", Problems: []string{err.Error()}}
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// loadSecret reads the secret of a database at the latest version on a
// reader; any other database is migrated on the writer first (after a
// backup next to its file), and in memory mode the schema is built.
func (s *Store) loadSecret(ctx context.Context) error {
	if s.path != Memory {
		c, err := s.readers.get(ctx)
		if err != nil {
			return err
		}
		secret, ok, err := latest(ctx, c, s.migrations)
		s.readers.put(c, err != nil)
		if ok {
			s.secret = secret
			return nil
		}
		// Any error (no schema yet, say) is the writer's to report.
	}
	c, err := s.writer.get(ctx)
	if err != nil {
		return err
	}
	var backup func(int) string
	if s.path == Memory {
		s.secret = newSecret()
		err = build(ctx, c, s.migrations, s.secret, time.Now().UnixNano())
	} else {
		backup = func(v int) string { return backupPath(s.file, v) }
	}
	if err == nil {
		s.secret, err = load(ctx, c, s.migrations, backup)
	}
	s.writer.put(c, err != nil)
	if err == nil {
		err = s.syncWAL() // a migration committed on the writer
	}
	return err
}

// openMemory opens one connection to a new in-memory database: every
// connection to ":memory:" is a database of its own, so this one is the
// writer and the reader and lives as long as the Store.
func (s *Store) openMemory() error {
	db, err := sql.Open("sqlite", Memory+"?"+params(false, "FULL"))
	if err != nil {
		return err
	}
	s.writer = newPool(db, 1)
	s.readers = s.writer
	return nil
}

// openFile creates the database file if needed (keeping its secret) and
// prepares the writer and the reader pool on it; connections open on
// first use.
func (s *Store) openFile(ctx context.Context, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	s.file = abs
	if s.secret, err = create(ctx, abs, s.migrations); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	w, err := sql.Open("sqlite", dsn(abs)+"?"+params(false, "NORMAL"))
	if err != nil {
		return err
	}
	r, err := sql.Open("sqlite", dsn(abs)+"?"+params(true, "FULL"))
	if err != nil {
		w.Close()
		return err
	}
	s.writer = newPool(w, 1)
	s.readers = newPool(r, max(4, runtime.GOMAXPROCS(0)))
	s.wal = &walSyncer{path: abs + "-wal"}
	return nil
}

// params are the DSN parameters every connection is opened with. The
// writer of a file runs with synchronous=NORMAL because the store syncs the
// WAL itself before it acknowledges a write (sync.go); readers never write.
//
// The writer checkpoints the WAL into the database file once it holds
// walCheckpointPages pages, not SQLite's default 1000: a checkpoint copies
// each page once however often it was rewritten since the last one, and the
// pages a write touches (index leaves, the environment's and app's rows)
// recur, so fewer checkpoints copy fewer pages per write (JobWrite pairs:
// ~10% less CPU; bench/analysis.md). The price is a WAL of up to ~16 MB,
// reused after each checkpoint, and as much more for Open to check after a
// crash.
func params(queryOnly bool, synchronous string) string {
	v := url.Values{}
	v.Set("_busy_timeout", "10000")
	v.Set("_synchronous", synchronous)
	v.Set("_foreign_keys", "1")
	v.Set("_txlock", "immediate") // for migrate; other transactions BEGIN explicitly
	if queryOnly {
		v.Set("_query_only", "1")
	} else {
		v.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walCheckpointPages))
	}
	return v.Encode()
}

// walCheckpointPages is the WAL size, in pages, at which the writer
// checkpoints (see params).
const walCheckpointPages = 4000

// Name returns "sqlite".
func (s *Store) Name() string { return "sqlite" }

// Path returns the path the Store was opened with.
func (s *Store) Path() string { return s.path }

// Secret returns the database's random 32-byte key.
func (s *Store) Secret(ctx context.Context) ([]byte, error) {
	return append([]byte(nil), s.secret...), nil
}

// View runs fn in a read-only transaction that sees one snapshot.
func (s *Store) View(ctx context.Context, fn func(backend.Tx) error) error {
	c, err := s.readers.get(ctx)
	if err != nil {
		return err
	}
	broken := false
	defer func() { s.readers.put(c, broken) }()
	if err := c.exec(ctx, `BEGIN`); err != nil {
		broken = true
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		// Failing that, the connection may still be in a transaction.
		broken = c.exec(context.WithoutCancel(ctx), qRollback) != nil
	}()
	return fn(newTx(ctx, c, true))
}

// Close closes every connection. Later calls return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.readers != nil && s.readers != s.writer {
			errs = append(errs, s.readers.close())
		}
		if s.writer != nil {
			errs = append(errs, s.writer.close())
		}
		if s.wal != nil {
			s.wal.close()
		}
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("close database: %w", err)
		}
	})
	return s.closeErr
}
