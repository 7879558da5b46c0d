package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/amplifylite/amplifylite/internal/store/record"
)

// create makes a new database at path unless a file is there, and returns
// its secret. It writes it to a temporary file, syncs that file once and
// links it into place: one fsync instead of the nine that building it in
// place costs. A database of the latest schema is written from its image
// (image.go); any other (a test's schema) is built in the file without
// journal or syncs (schema, versions and secret in one transaction, then
// the switch to WAL). When another process links its
// database first, or links are not supported, create returns no secret and
// Open loads (or builds) the database at path. A crash leaves at most a
// stray path.new-* file, never a partial database at path.
//
// The directory is not synced here: the link needs to be on disk only once
// a write is acknowledged, and the first WAL sync, which comes before that,
// syncs the directory as well (walSyncer, for the WAL file's own name; it
// is the database file's directory too). TestCreate_DirectorySyncedBeforeFirstWrite
// checks the order. A crash before the first write may lose the new, empty
// database; the next start makes another.
func create(ctx context.Context, path string, ms []record.Migration) ([]byte, error) {
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil, nil // there, or an error that opening it will report
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".new-*")
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	secret, now := newSecret(), time.Now().UnixNano()
	if slices.EqualFunc(ms, migrations, slices.Equal) {
		_, err = f.Write(newImage(secret, now))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	} else if err = f.Close(); err == nil {
		err = buildFile(ctx, tmp, ms, secret, now)
	}
	if err != nil {
		return nil, err
	}
	if err := syncFile(tmp); err != nil {
		return nil, err
	}
	if err := os.Link(tmp, path); err != nil {
		return nil, nil
	}
	return secret, nil
}

// buildFile builds a complete database in WAL mode in the empty file path,
// with secret and the versions applied at now (Unix nanoseconds).
func buildFile(ctx context.Context, path string, ms []record.Migration, secret []byte, now int64) error {
	db, err := sql.Open("sqlite", dsn(path)+"?_journal_mode=OFF&_synchronous=OFF")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := build(ctx, db, ms, secret, now); err != nil {
		return err
	}
	var mode string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode=WAL`).Scan(&mode); err != nil {
		return err
	}
	if mode != "wal" {
		return fmt.Errorf("journal mode %q, want wal", mode)
	}
	return db.Close()
}

// newSecret returns a new database's secret.
func newSecret() []byte {
	key := make([]byte, 32)
	rand.Read(key)
	return key
}

// build creates the schema of ms and secret in an empty database, in one
// transaction; the latest schema's versions are recorded as applied at now.
func build(ctx context.Context, db sqlConn, ms []record.Migration, secret []byte, now int64) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, qCreateMigrations); err != nil {
		return err
	}
	if slices.EqualFunc(ms, migrations, slices.Equal) {
		err = buildLatest(ctx, tx, len(ms), now)
	} else {
		err = migrateTx(ctx, tx, ms, 0) // a test's schema
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, qInsertSecret, secret); err != nil {
		return err
	}
	return tx.Commit()
}

// buildLatest creates schema in tx and records versions 1 to latest as
// applied at now.
func buildLatest(ctx context.Context, tx *sql.Tx, latest int, now int64) error {
	if _, err := tx.ExecContext(ctx, strings.Join(schema, ";\n")); err != nil {
		return err
	}
	for v := 1; v <= latest; v++ {
		if _, err := tx.ExecContext(ctx, qApplied, v, now); err != nil {
			return err
		}
	}
	return nil
}

// load returns the secret of a database whose schema is the last of ms,
// which one read checks; any other database is first switched to WAL,
// migrated (see migrate for backup) and given a secret.
func load(ctx context.Context, c sqlConn, ms []record.Migration, backup func(version int) string) ([]byte, error) {
	secret, ok, err := latest(ctx, c, ms)
	if ok {
		return secret, nil
	}
	if _, err := c.ExecContext(ctx, `PRAGMA journal_mode=WAL`); err != nil {
		return nil, err
	}
	if err := migrate(ctx, c, ms, backup); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if secret, err = ensureSecret(ctx, c); err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	return secret, nil
}

// latest returns the secret of a database whose schema is the last of ms
// (ok), which one read checks; not ok for any other database, with the
// read's error if it failed.
func latest(ctx context.Context, c sqlConn, ms []record.Migration) (secret []byte, ok bool, err error) {
	var v sql.NullInt64
	err = c.QueryRowContext(ctx, `SELECT (SELECT max(version) FROM schema_migrations),
		(SELECT value FROM meta WHERE key = 'secret')`).Scan(&v, &secret)
	return secret, err == nil && v.Int64 == int64(len(ms)) && secret != nil, err
}

// ensureSecret creates the database's secret on first use and returns it.
func ensureSecret(ctx context.Context, db sqlConn) ([]byte, error) {
	if _, err := db.ExecContext(ctx, qInsertSecret, newSecret()); err != nil {
		return nil, err
	}
	var got []byte
	if err := db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'secret'`).Scan(&got); err != nil {
		return nil, err
	}
	return got, nil
}

const qInsertSecret = `INSERT INTO meta (key, value) VALUES ('secret', ?) ON CONFLICT (key) DO NOTHING`

// syncFile fsyncs the file or directory at path.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return err
	}
	if fn := synced.Load(); fn != nil {
		(*fn)(path)
	}
	return nil
}

// synced, set by tests only, is told of every path syncFile synced.
var synced atomic.Pointer[func(path string)]

// dsn is the data source name of the file at path, without parameters.
func dsn(path string) string {
	return "file:" + (&url.URL{Path: filepath.ToSlash(path)}).EscapedPath()
}
