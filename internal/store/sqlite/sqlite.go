// Package sqlite is the embedded, durable backend.Store: one SQLite database
// file in WAL mode (modernc.org/sqlite, no cgo), or a private in-memory
// database with the same semantics.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/amplifylite/amplifylite/internal/backend"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

var _ backend.Store = (*Store)(nil)

// Memory is the path that opens a private in-memory database.
const Memory = ":memory:"

// Store is a backend.Store on SQLite. Writes go through one connection, so
// Update transactions run one at a time; in file mode View transactions run on
// a separate pool and read a snapshot without waiting for writers.
type Store struct {
	path   string
	writer *sql.DB
	reader *sql.DB // == writer in memory mode
	wstmts stmts
	rstmts stmts
	secret []byte

	closeOnce sync.Once
	closeErr  error
}

// Open opens (creating if needed) the database at path, or a private
// in-memory database when path is Memory, and applies pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	s, err := open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return s, nil
}

func open(ctx context.Context, path string) (*Store, error) {
	s := &Store{path: path}
	var err error
	if path == Memory {
		err = s.openMemory()
	} else {
		err = s.openFile(ctx, path)
	}
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, s.writer); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	secret, err := ensureSecret(ctx, s.writer)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("secret: %w", err)
	}
	s.secret = secret
	if s.wstmts, err = prepare(ctx, s.writer); err != nil {
		s.Close()
		return nil, fmt.Errorf("prepare: %w", err)
	}
	s.rstmts = s.wstmts
	if s.reader != s.writer {
		if s.rstmts, err = prepare(ctx, s.reader); err != nil {
			s.Close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
	}
	return s, nil
}

// openMemory opens one connection to a new in-memory database: every
// connection to ":memory:" is a database of its own, so this one is the
// writer and the reader and lives as long as the Store.
func (s *Store) openMemory() error {
	db, err := sql.Open("sqlite", Memory+"?"+params(false, "immediate"))
	if err != nil {
		return err
	}
	singleConn(db)
	s.writer, s.reader = db, db
	return nil
}

// openFile opens the writer connection and the reader pool on path.
func (s *Store) openFile(ctx context.Context, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	name := "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath()
	if s.writer, err = sql.Open("sqlite", name+"?"+params(false, "immediate")+"&_journal_mode=WAL"); err != nil {
		return err
	}
	singleConn(s.writer)
	// The writer switches the file to WAL before any reader opens it.
	if err := s.writer.PingContext(ctx); err != nil {
		s.writer.Close()
		return err
	}
	if s.reader, err = sql.Open("sqlite", name+"?"+params(true, "deferred")); err != nil {
		s.writer.Close()
		return err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.reader.SetMaxOpenConns(n)
	s.reader.SetMaxIdleConns(n)
	return nil
}

// singleConn makes db one connection that is never closed while db is open.
func singleConn(db *sql.DB) {
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
}

// params are the DSN parameters every connection is opened with.
func params(queryOnly bool, txlock string) string {
	v := url.Values{}
	v.Set("_busy_timeout", "10000")
	v.Set("_synchronous", "FULL")
	v.Set("_foreign_keys", "1")
	v.Set("_txlock", txlock)
	if queryOnly {
		v.Set("_query_only", "1")
	}
	return v.Encode()
}

// ensureSecret creates the database's secret on first use and returns it.
func ensureSecret(ctx context.Context, db *sql.DB) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('secret', ?) ON CONFLICT(key) DO NOTHING`, key); err != nil {
		return nil, err
	}
	var got []byte
	if err := db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'secret'`).Scan(&got); err != nil {
		return nil, err
	}
	return got, nil
}

// Name returns "sqlite".
func (s *Store) Name() string { return "sqlite" }

// Path returns the path the Store was opened with.
func (s *Store) Path() string { return s.path }

// Secret returns the database's random 32-byte key.
func (s *Store) Secret(ctx context.Context) ([]byte, error) {
	return append([]byte(nil), s.secret...), nil
}

// Update runs fn in one write transaction, committed (durably) when fn
// returns nil and rolled back otherwise; fn's error is returned unchanged.
func (s *Store) Update(ctx context.Context, fn func(backend.Tx) error) error {
	return s.run(ctx, s.writer, s.wstmts, false, fn)
}

// View runs fn in a read-only transaction that sees one snapshot.
func (s *Store) View(ctx context.Context, fn func(backend.Tx) error) error {
	return s.run(ctx, s.reader, s.rstmts, true, fn)
}

func (s *Store) run(ctx context.Context, db *sql.DB, st stmts, readOnly bool, fn func(backend.Tx) error) (err error) {
	sqlTx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			sqlTx.Rollback() // fn panicked
		}
	}()
	err = fn(&tx{ctx: ctx, tx: sqlTx, stmts: st, readOnly: readOnly})
	done = true
	if err != nil || readOnly {
		if rbErr := sqlTx.Rollback(); rbErr != nil && err == nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return fmt.Errorf("end read: %w", rbErr)
		}
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Close closes every connection. Later calls return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.rstmts != nil && s.reader != s.writer {
			errs = append(errs, s.rstmts.close())
		}
		if s.wstmts != nil {
			errs = append(errs, s.wstmts.close())
		}
		if s.reader != nil && s.reader != s.writer {
			errs = append(errs, s.reader.Close())
		}
		if s.writer != nil {
			errs = append(errs, s.writer.Close())
		}
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("close database: %w", err)
		}
	})
	return s.closeErr
}
