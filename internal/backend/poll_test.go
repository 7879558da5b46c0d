package backend_test

import "testing"

// TestPolling_CachedAnswersFollowEveryWrite: GetBackendJob and
// ListBackendJobs, which clients poll, answer from the read cache between
// writes, and every write (a job created, finished by the runner, updated by
// UpdateBackendJob) shows in the next answer.
func TestPolling_CachedAnswersFollowEveryWrite(t *testing.T) {
	h := newHarness(t)
	h.seed()
	id := h.ok(h.post("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"apiName":"api1"}}`)).str("jobId")
	list := func() response { return h.ok(h.post("/backend/app1/job/dev", `{"maxResults":1}`)) }
	for range 2 { // the second answer comes from the cache
		if got := h.jobStatus("app1", "dev", id).str("status"); got != "RUNNING" {
			t.Fatalf("status %s, want RUNNING", got)
		}
	}
	first := list()
	if again := list(); again.raw != first.raw {
		t.Errorf("the same page asked twice without a write:\n %s\n %s", first.raw, again.raw)
	}
	h.settle() // the runner finishes the job: a write
	if got := h.jobStatus("app1", "dev", id).str("status"); got != "COMPLETED" {
		t.Errorf("after the runner finished it: status %s, want COMPLETED", got)
	}
	id2 := h.ok(h.post("/backend/app1/api/dev", `{"resourceName":"api1","resourceConfig":{"apiName":"renamed"}}`)).str("jobId")
	if got := h.jobStatus("app1", "dev", id2).str("status"); got != "RUNNING" {
		t.Fatalf("new job: status %s, want RUNNING", got)
	}
	h.ok(h.post("/backend/app1/job/dev/"+id2, `{"status":"FAILED"}`))
	if got := h.jobStatus("app1", "dev", id2).str("status"); got != "FAILED" {
		t.Errorf("after UpdateBackendJob: status %s, want FAILED", got)
	}
	all := h.ok(h.post("/backend/app1/job/dev", `{}`))
	jobs, _ := all.body["jobs"].([]any)
	if len(jobs) != 3 { // CreateBackend, CreateBackendAPI, UpdateBackendAPI
		t.Fatalf("listing after the writes: %s", all.raw)
	}
	if last, _ := jobs[2].(map[string]any); last["status"] != "FAILED" {
		t.Errorf("listed last job %v, want FAILED", last)
	}
}

// TestUpdateBackendJob_OnlyUnderItsEnvironment: finishing a job through an
// environment it is not listed under is a 404 and leaves it RUNNING; through
// its own it finishes; asking again for the same outcome answers the job.
func TestUpdateBackendJob_OnlyUnderItsEnvironment(t *testing.T) {
	h := newHarness(t)
	h.seed()
	h.job("/backend", `{"appId":"app1","appName":"My App","backendEnvironmentName":"prod"}`)
	id := h.ok(h.post("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"apiName":"api1"}}`)).str("jobId")
	if r := h.post("/backend/app1/job/prod/"+id, `{"status":"COMPLETED"}`); r.status != 404 || r.errType() != "NotFoundException" {
		t.Fatalf("through prod: %d %s, want 404 NotFoundException", r.status, r.raw)
	}
	if got := h.jobStatus("app1", "dev", id).str("status"); got != "RUNNING" {
		t.Fatalf("after the refused request: %s, want RUNNING", got)
	}
	if got := h.ok(h.post("/backend/app1/job/dev/"+id, `{"status":"COMPLETED"}`)).str("status"); got != "COMPLETED" {
		t.Errorf("through dev: %s, want COMPLETED", got)
	}
	if got := h.ok(h.post("/backend/app1/job/dev/"+id, `{"status":"COMPLETED"}`)).str("status"); got != "COMPLETED" {
		t.Errorf("asked again: %s, want COMPLETED", got)
	}
	if r := h.post("/backend/app1/job/dev/"+id, `{"status":"FAILED"}`); r.status != 400 {
		t.Errorf("FAILED after COMPLETED: %d %s, want 400", r.status, r.raw)
	}
}
