package storetest

import (
	"encoding/json"
	"testing"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// populate writes two apps in p1 (one with only a job left, as after
// RemoveAllBackends cleaned it), an app in p3, buckets in p1 and p2 and a
// shared bucket.
func populate(f *fixture) {
	t := f.t
	f.update(func(tx backend.Tx) error {
		check(t, tx.PutApp(p1, &backend.App{ID: "a", Name: "A", Created: at(1)}))
		check(t, tx.PutEnv(p1, &backend.Env{AppID: "a", Name: "dev", Created: at(2)}))
		check(t, tx.PutEnv(p1, &backend.Env{AppID: "a", Name: "prod", Created: at(3)}))
		check(t, tx.PutResource(p1, &backend.Resource{AppID: "a", Env: "dev", Kind: backend.KindAPI, Name: "api", Config: json.RawMessage(`{}`), Created: at(4)}))
		ja := job("j2", 6, backend.StatusRunning, "CreateBackendAPI", "dev")
		ja.AppID, ja.Payload = "a", json.RawMessage(`{"x":1}`)
		check(t, tx.PutJob(p1, &ja))
		jb := job("j1", 5, backend.StatusCompleted, "CreateBackend", "dev", "prod")
		jb.AppID = "a"
		check(t, tx.PutJob(p1, &jb))
		check(t, tx.PutToken(p1, &backend.Token{AppID: "a", SessionID: "s2", Code: "2", Expires: at(9)}))
		check(t, tx.PutToken(p1, &backend.Token{AppID: "a", SessionID: "s1", Code: "1", Expires: at(9)}))
		orphan := job("j3", 7, backend.StatusCompleted, "RemoveAllBackends", "default")
		orphan.AppID = "gone"
		check(t, tx.PutJob(p1, &orphan))
		check(t, tx.PutApp(p3, &backend.App{ID: "c", Name: "C", Created: at(1)}))
		check(t, tx.PutBucket(p1, &backend.Bucket{Name: "b-a", Owner: "a\ndev", Created: at(1)}))
		check(t, tx.PutBucket(p1, &backend.Bucket{Name: "b-imported", Created: at(1)}))
		check(t, tx.PutBucket(p2, &backend.Bucket{Name: "b-p2", Created: at(1)}))
		return tx.EnsureSharedBucket(&backend.Bucket{Name: "shared", Created: at(1)})
	})
}

func testListings(t *testing.T, h Harness) {
	f := open(t, h)
	f.view(func(tx backend.Tx) error {
		parts, err := tx.Partitions()
		check(t, err)
		same(t, "Partitions of an empty store", len(parts), 0)
		return nil
	})
	populate(f)
	f.view(func(tx backend.Tx) error {
		parts, err := tx.Partitions()
		check(t, err)
		same(t, "Partitions", parts, []backend.Partition{p3, p1, p2})
		ids, err := tx.AppIDs(p1)
		check(t, err)
		same(t, "AppIDs(p1)", ids, []string{"a", "gone"})
		jobs, err := tx.AppJobs(p1, "a")
		check(t, err)
		if len(jobs) != 2 || jobs[0].ID != "j1" || jobs[1].ID != "j2" || string(jobs[1].Payload) != `{"x":1}` {
			t.Errorf("AppJobs(p1, a) = %+v, want j1 then j2 with its payload", jobs)
		}
		toks, err := tx.Tokens(p1, "a")
		check(t, err)
		if len(toks) != 2 || toks[0].SessionID != "s1" || toks[1].SessionID != "s2" {
			t.Errorf("Tokens(p1, a) = %+v, want s1, s2", toks)
		}
		bs, err := tx.OwnedBuckets(p1)
		check(t, err)
		same(t, "OwnedBuckets(p1)", bs, []backend.Bucket{{Name: "b-a", Owner: "a\ndev", Created: at(1)}, {Name: "b-imported", Created: at(1)}})
		return nil
	})
}

func testDeleteRecords(t *testing.T, h Harness) {
	f := open(t, h)
	populate(f)
	var n backend.RecordCounts
	f.update(func(tx backend.Tx) (err error) {
		n, err = tx.DeleteRecords(p1, "a")
		return err
	})
	same(t, "DeleteRecords(p1, a)", n, backend.RecordCounts{Apps: 1, Environments: 2, Resources: 1, Jobs: 2, Tokens: 2})
	f.view(func(tx backend.Tx) error {
		ids, err := tx.AppIDs(p1)
		check(t, err)
		same(t, "AppIDs(p1) after deleting a", ids, []string{"gone"})
		running, err := tx.RunningJob(p1, "a", "dev")
		check(t, err)
		if running != nil {
			t.Errorf("RunningJob after DeleteRecords = %+v, want none", running)
		}
		has, err := tx.HasJobs(p1, "a", "prod")
		check(t, err)
		same(t, "HasJobs(p1, a, prod)", has, false)
		bs, err := tx.OwnedBuckets(p1)
		check(t, err)
		same(t, "buckets kept", len(bs), 2)
		return nil
	})
	f.update(func(tx backend.Tx) (err error) {
		n, err = tx.DeleteRecords(p1, "")
		return err
	})
	same(t, "DeleteRecords(p1, \"\")", n, backend.RecordCounts{Jobs: 1})
	f.view(func(tx backend.Tx) error {
		parts, err := tx.Partitions()
		check(t, err)
		same(t, "Partitions left", parts, []backend.Partition{p3, p1, p2}) // p1 keeps its buckets
		ids, err := tx.AppIDs(p3)
		check(t, err)
		same(t, "AppIDs(p3) untouched", ids, []string{"c"})
		due, err := tx.DueJobs(at(1000000), 0)
		check(t, err)
		same(t, "DueJobs", len(due), 0)
		return nil
	})
}
