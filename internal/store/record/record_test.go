package record

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

func TestEncodeJob_PayloadApart(t *testing.T) {
	at := time.Date(2026, 1, 1, 1, 0, 0, 0, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		payload json.RawMessage
		want    string // the payload column; "" for NULL
	}{
		{json.RawMessage(`{"appId":"a"}`), `{"appId":"a"}`},
		{nil, ""},
		{json.RawMessage{}, ""},
	} {
		j := &backend.Job{ID: "j", AppID: "a", Envs: []string{"dev"}, Status: "RUNNING", Created: at, Updated: at, Due: at, Payload: tc.payload}
		r, err := EncodeJob(j)
		if err != nil {
			t.Fatal(err)
		}
		if string(r.Payload) != tc.want || (tc.want == "") != (r.Payload == nil) {
			t.Errorf("payload %q: column %q, want %q", tc.payload, r.Payload, tc.want)
		}
		if strings.Contains(string(r.Data), "payload") {
			t.Errorf("document %s holds the payload", r.Data)
		}
		if !strings.Contains(string(r.Data), `"created":"2026-01-01T00:00:00Z"`) || r.Created.Location() != time.UTC {
			t.Errorf("times not in UTC: %s", r.Data)
		}
		if string(j.Payload) != string(tc.payload) || j.Created.Location() == time.UTC {
			t.Error("EncodeJob changed the job it was given")
		}
	}
}

func TestMigrate(t *testing.T) {
	ms := []Migration{{"a1", "a2"}, {"b1"}, {"c1"}}
	run := func(v int, failAt string) (ran []string, err error) {
		exec := func(stmt string) error {
			if stmt == failAt {
				return errors.New("boom")
			}
			ran = append(ran, stmt)
			return nil
		}
		applied := func(version int) error {
			ran = append(ran, "v"+string(rune('0'+version)))
			return nil
		}
		return ran, Migrate(ms, v, exec, applied)
	}
	if ran, err := run(1, ""); err != nil || strings.Join(ran, " ") != "b1 v2 c1 v3" {
		t.Errorf("from 1: ran %v, %v", ran, err)
	}
	if ran, err := run(3, ""); err != nil || len(ran) != 0 {
		t.Errorf("at the last version: ran %v, %v", ran, err)
	}
	if _, err := run(0, "b1"); err == nil || !strings.Contains(err.Error(), "version 2: boom") {
		t.Errorf("failing step: %v", err)
	}
	var newer *NewerError
	if _, err := run(4, ""); !errors.As(err, &newer) || newer.Version != 4 || newer.Latest != 3 {
		t.Errorf("newer database: %v", err)
	}
}
