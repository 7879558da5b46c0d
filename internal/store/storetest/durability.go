package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/amplifylite/amplifylite/internal/backend"
)

func testDurability(t *testing.T, h Harness) {
	t.Run("Secret", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		s1, err := f.s.Secret(context.Background())
		check(t, err)
		s2, err := f.s.Secret(context.Background())
		check(t, err)
		if len(s1) < 16 || !bytes.Equal(s1, s2) {
			t.Fatalf("Secret = %x then %x, want one key of at least 16 bytes", s1, s2)
		}
		other := open(t, h)
		s3, err := other.s.Secret(context.Background())
		check(t, err)
		if bytes.Equal(s1, s3) {
			t.Error("two databases share a secret")
		}
		if h.Reopen == nil {
			return
		}
		f.reopen()
		s4, err := f.s.Secret(context.Background())
		check(t, err)
		if !bytes.Equal(s1, s4) {
			t.Errorf("Secret after reopen = %x, want %x", s4, s1)
		}
	})
	t.Run("Reopen", func(t *testing.T) {
		t.Parallel()
		if h.Reopen == nil {
			t.Skip("store does not outlive Close")
		}
		f := open(t, h)
		f.update(func(tx backend.Tx) error {
			putOneOfEach(t, tx, p1)
			return tx.EnsureSharedBucket(&backend.Bucket{Name: "shared", Created: at(5)})
		})
		f.s.Update(context.Background(), func(tx backend.Tx) error {
			putOneOfEach(t, tx, p2)
			return errors.New("abort")
		})
		var before []backend.Job
		f.view(func(tx backend.Tx) (err error) {
			before, err = tx.Jobs(p1, "a", "dev", backend.JobQuery{})
			return err
		})
		f.reopen()
		f.view(func(tx backend.Tx) error {
			if n := records(t, tx, p1); n != allRecords {
				t.Errorf("%d of %d records survived reopening", n, allRecords)
			}
			if n := records(t, tx, p2); n != 0 {
				t.Errorf("%d rolled-back records appeared after reopening", n)
			}
			after, err := tx.Jobs(p1, "a", "dev", backend.JobQuery{})
			check(t, err)
			same(t, "Jobs after reopen", after, before)
			bs, err := tx.Buckets(p3)
			check(t, err)
			same(t, "shared buckets after reopen", bs, []backend.Bucket{{Name: "shared", Created: at(5)}})
			due, err := tx.DueJobs(at(1e9), 10)
			check(t, err)
			if len(due) != 1 {
				t.Errorf("DueJobs after reopen = %v, want the one running job", due)
			}
			return nil
		})
	})
}
