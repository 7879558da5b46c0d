package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// walSyncer makes what COMMITs appended to the WAL durable: the writer runs
// with synchronous=NORMAL (SQLite syncs the WAL only before a checkpoint, and
// the database file after it), and the store fsyncs the WAL itself before it
// acknowledges a batch (see commit.go).
//
// It keeps its own descriptor of the WAL file (fsync flushes a file, whichever
// descriptor wrote to it) and checks before every sync that the name still
// leads to the same file. SQLite removes the WAL only after checkpointing all
// of it into the database file and syncing that, so a missing WAL leaves
// nothing to sync, and a new one is opened afresh. The first sync of a WAL
// file also syncs its directory, so that the file's name survives a power
// cut as well as its contents.
type walSyncer struct {
	path string

	mu sync.Mutex // one sync at a time; guards f and fi
	f  *os.File
	fi fs.FileInfo

	// failed holds the first failure: nothing is acknowledged after it. It
	// is read without mu, by writers that must not wait for an fsync.
	failed atomic.Pointer[error]

	// before and after, set by tests only, run around each fsync with the
	// WAL's path; an error before returns is the sync's.
	before, after func(path string) error
}

// errSyncFailed wraps the failure of a WAL sync. After one, the store takes
// no more writes: Linux may have dropped the pages it failed to write, so a
// later sync that succeeds would not prove them on disk (PostgreSQL stops for
// the same reason). Reopening the database recovers what is on disk.
var errSyncFailed = errors.New("syncing the write-ahead log failed; the database takes no more writes until it is reopened")

// sync flushes the WAL file to disk. After a failure it fails at once.
func (w *walSyncer) sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.syncFailed(); err != nil {
		return err
	}
	if err := w.flush(); err != nil {
		err = fmt.Errorf("%w: %w", errSyncFailed, err)
		w.failed.Store(&err)
		return err
	}
	return nil
}

func (w *walSyncer) flush() error {
	if w.before != nil {
		if err := w.before(w.path); err != nil {
			return err
		}
	}
	fi, err := os.Stat(w.path)
	if errors.Is(err, fs.ErrNotExist) {
		w.closeFile()
		return nil // checkpointed into the database file, which SQLite synced
	}
	if err != nil {
		return err
	}
	if w.f == nil || !os.SameFile(fi, w.fi) {
		w.closeFile()
		f, err := os.OpenFile(w.path, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		if fi, err = f.Stat(); err != nil {
			f.Close()
			return err
		}
		w.f, w.fi = f, fi
		if err := syncFile(filepath.Dir(w.path)); err != nil {
			return err
		}
	}
	if err := w.f.Sync(); err != nil {
		return err
	}
	if w.after != nil {
		return w.after(w.path)
	}
	return nil
}

// syncFailed returns the failure that stopped the syncer, or nil.
func (w *walSyncer) syncFailed() error {
	if err := w.failed.Load(); err != nil {
		return *err
	}
	return nil
}

func (w *walSyncer) closeFile() {
	if w.f != nil {
		w.f.Close()
		w.f, w.fi = nil, nil
	}
}

func (w *walSyncer) close() {
	w.mu.Lock()
	w.closeFile()
	w.mu.Unlock()
}

// syncWAL makes every committed transaction durable; nil for an in-memory
// database.
func (s *Store) syncWAL() error {
	if s.wal == nil {
		return nil
	}
	return s.wal.sync()
}

// WriteFailure returns why the store takes no more writes (a WAL sync
// failed), or nil. The server's health check reports it.
func (s *Store) WriteFailure() error { return s.syncFailure() }

// syncFailure returns the failure of an earlier WAL sync, which stops writes.
func (s *Store) syncFailure() error {
	if s.wal == nil {
		return nil
	}
	return s.wal.syncFailed()
}
