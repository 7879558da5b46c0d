package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/record"
)

// Version1Jobs are two jobs of app "a" in partition P1 as schema version 1
// stored them, with the payload in the document: j1 (COMPLETED, listed
// under dev and prod) with one, j2 (RUNNING, under dev) without. A store's
// migration test writes them into a database at version 1, then checks
// with CheckVersion1Jobs what its migrations made of them.
var Version1Jobs = []string{
	`{"id":"j1","appId":"a","envs":["dev","prod"],"kind":"CreateBackend","operation":"CreateBackend","status":"COMPLETED","created":"2026-01-01T00:00:00.001Z","updated":"2026-01-01T00:00:05.123Z","due":"2026-01-01T00:00:01.001Z","payload":{"appId":"a","n":1.50,"s":"\u00e9"}}`,
	`{"id":"j2","appId":"a","envs":["dev"],"kind":"Op","operation":"Op","status":"RUNNING","created":"2026-01-01T00:00:00.002Z","updated":"2026-01-01T00:00:00.002Z","due":"2026-01-01T00:00:01.002Z","payload":null}`,
}

// P1 is the partition of Version1Jobs.
var P1 = p1

// CheckVersion1Jobs checks that s reads Version1Jobs as they were: j1's
// payload as written, none for j2, and listings without payloads.
func CheckVersion1Jobs(t *testing.T, s backend.Store) {
	t.Helper()
	err := s.View(context.Background(), func(tx backend.Tx) error {
		j1, err := tx.Job(p1, "a", "j1")
		if err != nil {
			return err
		}
		if j1 == nil {
			t.Fatal("j1 is gone")
		}
		if got, want := string(j1.Payload), `{"appId":"a","n":1.50,"s":"\u00e9"}`; got != want {
			t.Errorf("j1's payload = %s, want %s (as written)", got, want)
		}
		if want := time.Date(2026, 1, 1, 0, 0, 5, 123e6, time.UTC); !j1.Updated.Equal(want) || strings.Join(j1.Envs, ",") != "dev,prod" {
			t.Errorf("j1 = %+v", j1)
		}
		j2, err := tx.RunningJob(p1, "a", "dev")
		if err != nil {
			return err
		}
		if j2 == nil || j2.ID != "j2" || j2.Payload != nil {
			t.Errorf("RunningJob = %+v, want j2 without payload", j2)
		}
		js, err := tx.Jobs(p1, "a", "dev", backend.JobQuery{})
		if err != nil {
			return err
		}
		if len(js) != 2 || js[0].ID != "j1" || js[0].Payload != nil || js[0].Status != "COMPLETED" || js[1].ID != "j2" {
			t.Errorf("Jobs = %+v, want j1 and j2 without payloads", js)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// CheckRefusesNewer checks that opening a database a newer release migrated
// to version failed (s, err are Open's results) and says why.
func CheckRefusesNewer(t *testing.T, s backend.Store, err error, version int) {
	t.Helper()
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a database migrated by a newer release")
	}
	var newer *record.NewerError
	if !errors.As(err, &newer) || newer.Version != version || !strings.Contains(err.Error(), "newer amplifylite") {
		t.Errorf("Open's error %q does not say a newer release wrote the database", err)
	}
}
