package backend_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

var defaultPartition = backend.Partition{Account: "000000000000", Region: "us-east-1"}

// plantJob stores a RUNNING job directly, as an older release or a damaged
// record could have left it.
func (h *harness) plantJob(id, kind, payload string) {
	h.t.Helper()
	now := h.clock.Now()
	err := h.store.Update(context.Background(), func(tx backend.Tx) error {
		return tx.PutJob(defaultPartition, &backend.Job{
			ID: id, AppID: "app1", Envs: []string{"env-" + id}, Kind: kind, Operation: kind, Status: backend.StatusRunning,
			Created: now, Updated: now, Due: now, Payload: json.RawMessage(payload),
		})
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

// TestFinishDueJobs_BadRecordsFailAndTheRestFinish: a job whose stored request
// no longer decodes, lacks what its operation needs, or whose kind is unknown
// ends FAILED with the reason, and every other due job still completes.
func TestFinishDueJobs_BadRecordsFailAndTheRestFinish(t *testing.T) {
	h := newHarness(t)
	h.seed()
	h.plantJob("undecodable", "CreateBackendAPI", `{"resourceName":5}`)
	h.plantJob("incomplete", "CreateBackendAuth", `{}`) // no resource name, no config, an environment that does not exist
	h.plantJob("unknown", "FrobnicateBackend", `{}`)
	h.plantJob("notjson", "CreateBackendStorage", `"a string"`)
	good := h.ok(h.post("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"a","resourceConfig":{}}`))
	h.clock.Advance(jobDuration)
	n, err := h.runner.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	if n != 5 {
		t.Errorf("finished %d jobs, want 5", n)
	}
	for id, want := range map[string]string{
		"undecodable": "its stored request does not decode",
		"incomplete":  "not found",
		"unknown":     `does not know jobs of kind "FrobnicateBackend"`,
		"notjson":     "its stored request does not decode",
	} {
		st := h.jobStatus("app1", "env-"+id, id)
		if st.str("status") != "FAILED" || !strings.Contains(st.str("error"), want) {
			t.Errorf("%s: %s, want FAILED with %q", id, st.raw, want)
		}
	}
	if st := h.jobStatus("app1", "dev", good.str("jobId")); st.str("status") != "COMPLETED" {
		t.Errorf("good job: %s", st.raw)
	}
	h.ok(h.post("/backend/app1/api/dev/details", `{"resourceName":"a"}`))
	if n, err := h.runner.RunOnce(context.Background()); n != 0 || err != nil {
		t.Errorf("second run: %d, %v", n, err)
	}
}

// TestUpdateBackendJob_ConcurrentOutcomes: requests racing to finish one job
// each get either the outcome they asked for (200) or a refusal naming the
// outcome that won (400), never 200 with the other outcome.
func TestUpdateBackendJob_ConcurrentOutcomes(t *testing.T) {
	h := newHarness(t)
	h.seed()
	for round := range 20 {
		j := h.ok(h.post("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"r`+string(rune('a'+round))+`","resourceConfig":{}}`))
		id := j.str("jobId")
		type answer struct {
			asked  string
			status int
			body   map[string]any
		}
		answers := make([]answer, 8)
		var wg sync.WaitGroup
		for i := range answers {
			asked := []string{"COMPLETED", "FAILED"}[i%2]
			wg.Go(func() {
				answers[i] = answer{asked: asked}
				r, err := h.try("POST", "/backend/app1/job/dev/"+id, `{"status":"`+asked+`"}`)
				if err != nil {
					t.Error(err)
				}
				answers[i].status, answers[i].body = r.status, r.body
			})
		}
		wg.Wait()
		final := h.jobStatus("app1", "dev", id).str("status")
		for _, a := range answers {
			switch {
			case a.status == 200 && a.body["status"] == a.asked && a.asked == final:
			case a.status == 400 && a.asked != final && strings.Contains(a.body["message"].(string), "already "+final):
			default:
				t.Fatalf("round %d: asked %s, final %s: got %d %v", round, a.asked, final, a.status, a.body)
			}
		}
	}
}

// TestJobs_SchemaWorkOutsideTheWriteTransaction: while a job's schema is
// being processed, other writes go through; the job then applies against the
// state as it is, processing again a schema that changed meanwhile.
func TestJobs_SchemaWorkOutsideTheWriteTransaction(t *testing.T) {
	entered := make(chan string, 4)
	release := make(chan struct{})
	h := newHarness(t, func(schema string) (string, string, error) {
		entered <- schema
		<-release
		return "models of " + schema, "{}", nil
	})
	h.seed()
	h.job("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{}}`)
	old := "type A @model { id: ID! }"
	h.ok(h.post("/backend/app1/api/dev", `{"resourceName":"api1","resourceConfig":{"transformSchema":"`+old+`"}}`))
	h.clock.Advance(jobDuration)
	ran := make(chan error, 1)
	go func() { _, err := h.runner.RunOnce(context.Background()); ran <- err }()
	if got := <-entered; got != old {
		t.Fatalf("processing %q", got)
	}
	// The schema is being processed: another app's write must not wait for it.
	type result struct {
		r   response
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := h.try("POST", "/backend", `{"appId":"app2","appName":"n","backendEnvironmentName":"dev"}`)
		done <- result{r, err}
	}()
	select {
	case res := <-done:
		if res.err != nil || res.r.status != 200 {
			t.Fatalf("other write: %v %s", res.err, res.r.raw)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("another app's write waited for the schema processing")
	}
	release <- struct{}{}
	if err := <-ran; err != nil {
		t.Fatal(err)
	}

	// Generation: the schema changes while the models are generated; the
	// models stored are those of the schema the resource has at the end.
	gen := h.ok(h.post("/backend/app1/api/dev/generateModels", `{"resourceName":"api1"}`))
	h.clock.Advance(jobDuration)
	go func() { _, err := h.runner.RunOnce(context.Background()); ran <- err }()
	if got := <-entered; got != old {
		t.Fatalf("generating from %q", got)
	}
	newer := "type B @model { id: ID! }"
	err := h.store.Update(context.Background(), func(tx backend.Tx) error {
		r, err := tx.Resource(defaultPartition, "app1", "dev", backend.KindAPI, "api1")
		if err != nil || r == nil {
			t.Errorf("resource: %v %v", r, err)
			return err
		}
		r.Config = json.RawMessage(`{"transformSchema":"` + newer + `"}`)
		return tx.PutResource(defaultPartition, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	release <- struct{}{}
	if got := <-entered; got != newer {
		t.Fatalf("then generating from %q", got)
	}
	release <- struct{}{}
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	if st := h.jobStatus("app1", "dev", gen.str("jobId")); st.str("status") != "COMPLETED" {
		t.Fatalf("generation job: %s", st.raw)
	}
	m := h.ok(h.post("/backend/app1/api/dev/getModels", `{"resourceName":"api1"}`))
	if m.str("status") != "LATEST" || m.str("models") != "models of "+newer {
		t.Errorf("models: %s", m.raw)
	}
}
