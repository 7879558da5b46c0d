package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// image is what the database's files held as a WAL sync began or ended.
type image struct {
	db, wal []byte
	acked   int // writes acknowledged by then
}

// TestCrash_PowerCut: the group commit acknowledges a write only
// once it is on disk, and a power cut at any moment leaves files that open
// cleanly (no false damage report) with every acknowledged write.
//
// Concurrent writers run against a store whose WAL sync records the files'
// contents as it begins (before k) and as it ends (after k). A power cut
// after sync k ended and before sync k+1 did finds at least before k on
// disk, and at most after k+1, and can leave any mix of the two that the
// order of writes allows: the WAL's frames each old or new (or never
// written: zeros, or a shorter file) when no checkpoint ran in between; when
// one did (it syncs the WAL before it writes the database), the newer WAL
// and the database's pages each old or new. Each such mix must open, pass the
// open checks (a false damage report would keep the server from starting),
// and hold every write acknowledged before sync k+1 ended.
func TestCrash_PowerCut(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), filepath.Join(dir, "db"))
	if err != nil {
		t.Fatal(err)
	}
	checkpointEvery(t, s, 24) // frequent checkpoints and WAL restarts

	var mu sync.Mutex
	var acked []string
	var before, after []image
	record := func(to *[]image) func(string) error {
		return func(path string) error {
			db, err := os.ReadFile(s.file)
			if err != nil {
				return err
			}
			wal, err := os.ReadFile(path)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			mu.Lock()
			*to = append(*to, image{db: db, wal: wal, acked: len(acked)})
			mu.Unlock()
			return nil
		}
	}
	s.wal.before, s.wal.after = record(&before), record(&after)

	const writers, each = 16, 40
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("w%02d-%03d", w, i)
				err := s.Update(context.Background(), func(tx backend.Tx) error {
					return tx.PutToken(faultPartition, &backend.Token{AppID: "app", SessionID: id, Code: "123456", Expires: time.UnixMilli(1)})
				})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if len(before) < 10 || len(after) != len(before) {
		t.Fatalf("%d syncs begun, %d ended, for %d writes", len(before), len(after), writers*each)
	}
	t.Logf("%d writes, %d syncs", writers*each, len(before))

	rng := rand.New(rand.NewPCG(1, 2))
	checkpoints := 0
	for k := range len(before) - 1 {
		old, cur := before[k], after[k+1]
		checkImage(t, fmt.Sprintf("sync %d begun", k), old.db, old.wal, acked[:old.acked])
		checkpointed := !bytes.Equal(old.db, cur.db)
		if checkpointed {
			checkpoints++
		}
		for v := range 3 {
			db, wal := old.db, mixFrames(rng, old.wal, cur.wal)
			if checkpointed {
				db, wal = mixPages(rng, old.db, cur.db), cur.wal
			}
			checkImage(t, fmt.Sprintf("cut between syncs %d and %d (variant %d)", k, k+1, v), db, wal, acked[:cur.acked])
		}
	}
	if checkpoints == 0 {
		t.Error("no checkpoint ran: the test does not cover a cut during one")
	}
}

// checkImage opens db and wal as a database and checks that it holds want.
func checkImage(t *testing.T, name string, db, wal []byte, want []string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "db")
	if err := os.WriteFile(path, db, 0o644); err != nil {
		t.Fatal(err)
	}
	if wal != nil {
		if err := os.WriteFile(path+"-wal", wal, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer s.Close()
	have := map[string]bool{}
	err = s.View(context.Background(), func(btx backend.Tx) error {
		rows, err := btx.(*tx).c.QueryContext(context.Background(), `SELECT session_id FROM tokens`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			have[id] = true
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, id := range want {
		if !have[id] {
			t.Fatalf("%s: acknowledged write %s is missing (%d of %d acknowledged present)", name, id, len(have), len(want))
		}
	}
}

// mixFrames is a WAL a power cut may leave while cur was being written over
// old: each frame old or new, a frame never written zeros, and the file at a
// length between the two.
func mixFrames(rng *rand.Rand, old, cur []byte) []byte {
	if len(cur) < walHeaderSize {
		return old
	}
	frame := walFrameHeaderSize + int(bytesPageSize(cur))
	out := make([]byte, max(len(old), len(cur)))
	pick := func(lo, hi int) {
		src := old
		if rng.IntN(2) == 0 {
			src = cur
		}
		if hi > len(src) {
			src = nil // not written: zeros
		}
		if src != nil {
			copy(out[lo:hi], src[lo:hi])
		}
	}
	// A new header (the WAL restarted after a checkpoint) is synced before
	// any frame after it is written (SQLite does so at every
	// synchronous level above OFF): the cut before that is image k itself.
	if bytes.Equal(old[:min(len(old), walHeaderSize)], cur[:walHeaderSize]) {
		pick(0, walHeaderSize)
	} else {
		copy(out, cur[:walHeaderSize])
	}
	for lo := walHeaderSize; lo < len(out); lo += frame {
		pick(lo, min(lo+frame, len(out)))
	}
	n := len(old) + rng.IntN(len(out)-len(old)+1)
	return out[:n]
}

// mixPages is a database file a power cut may leave while a checkpoint
// wrote cur over old: each page old or new, at either length.
func mixPages(rng *rand.Rand, old, cur []byte) []byte {
	const page = 4096
	out := make([]byte, max(len(old), len(cur)))
	for lo := 0; lo < len(out); lo += page {
		src := old
		if rng.IntN(2) == 0 || lo >= len(old) {
			src = cur
		}
		if lo < len(src) {
			copy(out[lo:min(lo+page, len(out))], src[lo:min(lo+page, len(src))])
		}
	}
	if rng.IntN(2) == 0 {
		return out[:min(len(out), max(len(old), page))]
	}
	return out
}

// bytesPageSize reads the page size from a WAL header.
func bytesPageSize(wal []byte) uint32 {
	return uint32(wal[8])<<24 | uint32(wal[9])<<16 | uint32(wal[10])<<8 | uint32(wal[11])
}

// TestSync_FailureStopsWrites: when syncing the WAL fails, the batch's
// Updates fail, and so does every later one (Linux may have dropped the
// pages it could not write, so no later sync could vouch for them) until the
// database is reopened, which finds what is on disk.
func TestSync_FailureStopsWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Update(context.Background(), putApp("a")); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFailure(); err != nil {
		t.Fatalf("WriteFailure before any failure = %v", err)
	}
	eio := errors.New("input/output error")
	s.wal.before = func(string) error { return eio }
	err = s.Update(context.Background(), putApp("b"))
	if !errors.Is(err, errSyncFailed) || !errors.Is(err, eio) {
		t.Fatalf("Update whose sync failed = %v", err)
	}
	s.wal.before = nil
	if err := s.Update(context.Background(), putApp("c")); !errors.Is(err, errSyncFailed) {
		t.Fatalf("Update after a failed sync = %v", err)
	}
	if hasApp(t, s, "c") {
		t.Error("an Update refused after the failed sync was kept")
	}
	if err := s.WriteFailure(); !errors.Is(err, errSyncFailed) {
		t.Errorf("WriteFailure = %v, want the sync's failure (health reports it)", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !hasApp(t, s, "a") {
		t.Error("the write acknowledged before the failure is missing")
	}
	if err := s.Update(context.Background(), putApp("d")); err != nil {
		t.Fatalf("Update after reopening: %v", err)
	}
}

// TestSync_NothingKeptNothingSynced: a batch whose members all failed rolls
// back and costs no fsync.
func TestSync_NothingKeptNothingSynced(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var syncs atomic.Int32
	s.wal.before = func(string) error { syncs.Add(1); return nil }
	refused := errors.New("refused")
	if err := s.Update(context.Background(), func(tx backend.Tx) error { putApp("x")(tx); return refused }); !errors.Is(err, refused) {
		t.Fatalf("Update = %v", err)
	}
	if n := syncs.Load(); n != 0 {
		t.Errorf("%d syncs for a batch that kept nothing", n)
	}
	if err := s.Update(context.Background(), putApp("y")); err != nil {
		t.Fatal(err)
	}
	if n := syncs.Load(); n != 1 {
		t.Errorf("%d syncs for one kept write, want 1", n)
	}
	if hasApp(t, s, "x") || !hasApp(t, s, "y") {
		t.Error("wrong writes kept")
	}
}

// checkpointEvery makes s's writer checkpoint the WAL once it holds pages
// pages.
func checkpointEvery(t *testing.T, s *Store, pages int) {
	t.Helper()
	err := s.Update(context.Background(), func(btx backend.Tx) error {
		return btx.(*tx).c.exec(context.Background(), fmt.Sprintf("PRAGMA wal_autocheckpoint=%d", pages))
	})
	if err != nil {
		t.Fatal(err)
	}
}
