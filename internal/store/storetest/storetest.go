// Package storetest is the conformance suite every backend.Store must pass.
package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// Harness opens the stores under test.
type Harness struct {
	// Open returns a new, empty store; the suite closes it. Parallel
	// tests call it concurrently.
	Open func(t *testing.T) backend.Store
	// Reopen closes s and opens the same database again. Leave it nil when
	// data does not outlive Close (in-memory stores): the suite then skips
	// the durability tests.
	Reopen func(t *testing.T, s backend.Store) backend.Store
}

// Run runs every conformance test against the stores h opens. The tests
// run in parallel, each on its own store.
func Run(t *testing.T, h Harness) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, Harness)
	}{
		{"Apps", testApps},
		{"Envs", testEnvs},
		{"Resources", testResources},
		{"Tokens", testTokens},
		{"Jobs", testJobs},
		{"AddUpdateJob", testAddUpdateJob},
		{"DueJobs", testDueJobs},
		{"DueJobsNoLimit", testDueJobsNoLimit},
		{"PurgeJobs", testPurgeJobs},
		{"Buckets", testBuckets},
		{"Listings", testListings},
		{"DeleteRecords", testDeleteRecords},
		{"Transactions", testTransactions},
		{"Isolation", testIsolation},
		{"IsolatedContents", testIsolatedContents},
		{"Concurrency", testConcurrency},
		{"MixedOutcomes", testMixedOutcomes},
		{"Durability", testDurability},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, h)
		})
	}
}

// Partitions the tests use.
var (
	p1 = backend.Partition{Account: "111111111111", Region: "us-east-1"}
	p2 = backend.Partition{Account: "222222222222", Region: "us-east-1"}
	p3 = backend.Partition{Account: "111111111111", Region: "eu-west-1"}
)

// t0 is the base of every test time; times are whole milliseconds, the
// precision the domain uses.
var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// fixture is one open store, closed when the test ends.
type fixture struct {
	t *testing.T
	h Harness
	s backend.Store
}

func open(t *testing.T, h Harness) *fixture {
	t.Helper()
	f := &fixture{t: t, h: h, s: h.Open(t)}
	t.Cleanup(func() {
		if err := f.s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return f
}

// reopen closes the store and opens the same database again.
func (f *fixture) reopen() {
	f.t.Helper()
	f.s = f.h.Reopen(f.t, f.s)
}

// update runs fn in Update and fails the test on error.
func (f *fixture) update(fn func(tx backend.Tx) error) {
	f.t.Helper()
	if err := f.s.Update(context.Background(), fn); err != nil {
		f.t.Fatalf("Update: %v", err)
	}
}

// view runs fn in View and fails the test on error.
func (f *fixture) view(fn func(tx backend.Tx) error) {
	f.t.Helper()
	if err := f.s.View(context.Background(), fn); err != nil {
		f.t.Fatalf("View: %v", err)
	}
}

// same fails the test unless got and want have equal JSON encodings, which
// compares times by instant and location (UTC encodes as "Z") and embedded
// JSON by value, not by spelling.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	g, w := canonical(t, got), canonical(t, want)
	if !reflect.DeepEqual(g, w) {
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		t.Errorf("%s:\n got %s\nwant %s", what, gj, wj)
	}
}

func canonical(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %T: %v", v, err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("unmarshal %T: %v", v, err)
	}
	return out
}

// check fails the test on a non-nil err.
func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// MustOpen returns open(ctx, where), failing the test when it fails.
func MustOpen[S backend.Store](t testing.TB, open func(context.Context, string) (S, error), where string) S {
	t.Helper()
	s, err := open(context.Background(), where)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
