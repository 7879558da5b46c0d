package backend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// signAs is an Authorization header whose credential scope selects the
// partition (signatures are not verified by the harness).
func signAs(key, region string) string {
	return "AWS4-HMAC-SHA256 Credential=" + key + "/20260102/" + region + "/amplifybackend/aws4_request, SignedHeaders=host, Signature=00"
}

// TestListBackendJobs_TokenBoundToPartition: a page token is refused in
// another account or region, even where the same app, environment and jobs
// exist.
func TestListBackendJobs_TokenBoundToPartition(t *testing.T) {
	h := newHarness(t)
	partitions := []string{signAs("111111111111", "us-east-1"), signAs("222222222222", "us-east-1"), signAs("111111111111", "eu-west-1")}
	var token string
	for i, auth := range partitions {
		h.auth = auth
		h.seed()
		for _, name := range []string{"a", "b"} {
			h.job("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"`+name+`","resourceConfig":{}}`)
		}
		if i == 0 {
			token = h.ok(h.post("/backend/app1/job/dev", `{"maxResults":1}`)).str("nextToken")
		}
	}
	h.auth = partitions[0]
	if r := h.post("/backend/app1/job/dev", `{"maxResults":1,"nextToken":"`+token+`"}`); r.status != 200 {
		t.Fatalf("token in its own partition: %s", r.raw)
	}
	for _, auth := range partitions[1:] {
		h.auth = auth
		if r := h.post("/backend/app1/job/dev", `{"maxResults":1,"nextToken":"`+token+`"}`); r.status != 400 || r.errType() != "BadRequestException" {
			t.Errorf("token of another partition (%s): %d %s", auth, r.status, r.raw)
		}
	}
}

// TestGetBackend_FreshAfterTheRunnerCompletesAJob: an answer cached while a
// job runs is not served once the runner has applied the job.
func TestGetBackend_FreshAfterTheRunnerCompletesAJob(t *testing.T) {
	h := newHarness(t)
	h.seed()
	h.ok(h.post("/backend/app1/auth", `{"backendEnvironmentName":"dev","resourceName":"auth1","resourceConfig":`+authConfig+`}`))
	before := h.ok(h.post("/backend/app1/details", `{"backendEnvironmentName":"dev"}`))
	if strings.Contains(before.str("amplifyMetaConfig"), "auth1") {
		t.Fatalf("auth visible while its job runs: %s", before.raw)
	}
	h.settle()
	after := h.ok(h.post("/backend/app1/details", `{"backendEnvironmentName":"dev"}`))
	if !strings.Contains(after.str("amplifyMetaConfig"), `"auth1"`) {
		t.Errorf("GetBackend after the job completed is stale: %s", after.raw)
	}
	// And after a job forced to COMPLETED through UpdateBackendJob.
	j := h.ok(h.post("/backend/app1/storage", `{"backendEnvironmentName":"dev","resourceName":"files","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["READ"]}}}`))
	h.ok(h.post("/backend/app1/details", `{"backendEnvironmentName":"dev"}`))
	h.ok(h.post("/backend/app1/job/dev/"+j.str("jobId"), `{"status":"COMPLETED"}`))
	if got := h.ok(h.post("/backend/app1/details", `{"backendEnvironmentName":"dev"}`)); !strings.Contains(got.str("amplifyMetaConfig"), `"files"`) {
		t.Errorf("GetBackend after UpdateBackendJob COMPLETED is stale: %s", got.raw)
	}
}

// TestUpdateBackendJob_Transitions: a finished job keeps its outcome; only
// its operation may change. A RUNNING job may change operation and stay
// RUNNING.
func TestUpdateBackendJob_Transitions(t *testing.T) {
	h := newHarness(t)
	h.seed()
	start := func(name string) string {
		return h.ok(h.post("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"`+name+`","resourceConfig":{}}`)).str("jobId")
	}
	update := func(id, body string) response { return h.post("/backend/app1/job/dev/"+id, body) }

	running := start("r1")
	r := h.ok(update(running, `{"operation":"GetBackend"}`))
	if r.str("status") != "RUNNING" || r.str("operation") != "GetBackend" {
		t.Errorf("operation-only update: %s", r.raw)
	}
	if r := h.ok(update(running, `{"status":"RUNNING"}`)); r.str("status") != "RUNNING" {
		t.Errorf("RUNNING to RUNNING: %s", r.raw)
	}
	if r := h.ok(update(running, `{"status":"COMPLETED"}`)); r.str("status") != "COMPLETED" || r.str("operation") != "GetBackend" {
		t.Errorf("complete: %s", r.raw)
	}
	failed := start("r2")
	h.ok(update(failed, `{"status":"FAILED"}`))

	for _, tt := range []struct {
		id, from, to string
	}{
		{running, "COMPLETED", "FAILED"},
		{running, "COMPLETED", "RUNNING"},
		{failed, "FAILED", "COMPLETED"},
		{failed, "FAILED", "RUNNING"},
	} {
		r := update(tt.id, `{"status":"`+tt.to+`"}`)
		if r.status != 400 || r.errType() != "BadRequestException" || !strings.Contains(r.str("message"), tt.from) {
			t.Errorf("%s to %s: %d %s", tt.from, tt.to, r.status, r.raw)
		}
		if got := h.jobStatus("app1", "dev", tt.id).str("status"); got != tt.from {
			t.Errorf("%s to %s: the job is now %s", tt.from, tt.to, got)
		}
	}
	// The same outcome again is accepted and changes nothing but the operation.
	if r := h.ok(update(failed, `{"status":"FAILED","operation":"DeleteBackend"}`)); r.str("status") != "FAILED" || r.str("operation") != "DeleteBackend" {
		t.Errorf("FAILED again with an operation: %s", r.raw)
	}
	// The API of the completed job exists; the failed one's does not.
	h.ok(h.post("/backend/app1/api/dev/details", `{"resourceName":"r1"}`))
	if r := h.post("/backend/app1/api/dev/details", `{"resourceName":"r2"}`); r.status != 404 {
		t.Errorf("the failed job's API: %s", r.raw)
	}
	if r := update("no-such-job", `{"status":"COMPLETED"}`); r.status != 404 {
		t.Errorf("unknown job: %s", r.raw)
	}
	if r := update(running, `{"status":"DONE"}`); r.status != 400 {
		t.Errorf("unknown status: %s", r.raw)
	}
	if r := update(running, `{"operation":"NoSuchOperation"}`); r.status != 400 {
		t.Errorf("unknown operation: %s", r.raw)
	}
}

// TestGetBackendAPIModels_RecordsOfEitherForm: models stored uncompressed by
// an earlier release are still served; a new generation stores them
// compressed and serves the same texts.
func TestGetBackendAPIModels_RecordsOfEitherForm(t *testing.T) {
	h := newHarness(t, func(schema string) (string, string, error) {
		return "export const schema = " + strings.Repeat("{}", 1000) + ";", `{"version":1}`, nil
	})
	h.seed()
	h.job("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"transformSchema":"type A @model { id: ID! }"}}`)
	err := h.store.Update(context.Background(), func(tx backend.Tx) error {
		r, err := tx.Resource(defaultPartition, "app1", "dev", backend.KindAPI, "api1")
		if err != nil {
			return err
		}
		r.Models, r.Introspection, r.ModelsSchemaHash = "old models", `{"old":true}`, "stale-hash"
		return tx.PutResource(defaultPartition, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	old := h.ok(h.post("/backend/app1/api/dev/getModels", `{"resourceName":"api1"}`))
	if old.str("models") != "old models" || old.str("modelIntrospectionSchema") != `{"old":true}` || old.str("status") != "STALE" {
		t.Errorf("an earlier release's record: %s", old.raw)
	}
	h.job("/backend/app1/api/dev/generateModels", `{"resourceName":"api1"}`)
	got := h.ok(h.post("/backend/app1/api/dev/getModels", `{"resourceName":"api1"}`))
	if got.str("models") != "export const schema = "+strings.Repeat("{}", 1000)+";" || got.str("modelIntrospectionSchema") != `{"version":1}` || got.str("status") != "LATEST" {
		t.Errorf("after a generation: %s", got.raw)
	}
	err = h.store.View(context.Background(), func(tx backend.Tx) error {
		r, err := tx.Resource(defaultPartition, "app1", "dev", backend.KindAPI, "api1")
		if err == nil && (r.Models != "" || len(r.Generated) == 0 || len(r.Generated) > 200) {
			t.Errorf("stored: models %d bytes, generated %d bytes, want only a compressed form", len(r.Models), len(r.Generated))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
