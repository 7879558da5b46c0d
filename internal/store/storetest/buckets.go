package storetest

import (
	"fmt"
	"testing"

	"github.com/amplifylite/amplifylite/internal/backend"
)

func bucketNames(f *fixture, p backend.Partition) string {
	f.t.Helper()
	var names []string
	f.view(func(tx backend.Tx) error {
		bs, err := tx.Buckets(p)
		for _, b := range bs {
			names = append(names, b.Name)
		}
		return err
	})
	return fmt.Sprint(names)
}

func testBuckets(t *testing.T, h Harness) {
	f := open(t, h)
	own := backend.Bucket{Name: "b-own", Created: at(2), Owner: "a/dev"}
	shared := backend.Bucket{Name: "c-shared", Created: at(1)}
	f.update(func(tx backend.Tx) error {
		check(t, tx.PutBucket(p1, &own))
		check(t, tx.PutBucket(p1, &backend.Bucket{Name: "a-imported", Created: at(3)}))
		check(t, tx.PutBucket(p2, &backend.Bucket{Name: "z-p2", Created: at(3)}))
		return tx.EnsureSharedBucket(&shared)
	})
	// A second creation keeps the first record.
	f.update(func(tx backend.Tx) error {
		return tx.EnsureSharedBucket(&backend.Bucket{Name: "c-shared", Created: at(9), Owner: "x/y"})
	})
	f.view(func(tx backend.Tx) error {
		bs, err := tx.Buckets(p1)
		check(t, err)
		same(t, "Buckets(p1)", bs, []backend.Bucket{{Name: "a-imported", Created: at(3)}, own, shared})
		bs, err = tx.Buckets(p3)
		check(t, err)
		same(t, "Buckets(p3)", bs, []backend.Bucket{shared})
		return nil
	})
	if got := bucketNames(f, p2); got != "[c-shared z-p2]" {
		t.Errorf("Buckets(p2) = %s, want [c-shared z-p2]", got)
	}
	f.update(func(tx backend.Tx) error {
		check(t, tx.DeleteBucket(p1, "b-own"))
		check(t, tx.DeleteBucket(p1, "z-p2")) // another partition's
		return tx.DeleteBucket(p1, "missing")
	})
	if got := bucketNames(f, p1); got != "[a-imported c-shared]" {
		t.Errorf("Buckets(p1) after delete = %s, want [a-imported c-shared]", got)
	}
	if got := bucketNames(f, p2); got != "[c-shared z-p2]" {
		t.Errorf("Buckets(p2) after p1's delete = %s, want [c-shared z-p2]", got)
	}
}
