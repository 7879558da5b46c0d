package backend_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestJobs_OnePendingJobPerEnvironment(t *testing.T) {
	h := newHarness(t)
	h.seed()
	first := h.ok(h.post("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"a","resourceConfig":{}}`))
	r := h.post("/backend/app1/auth", `{"backendEnvironmentName":"dev","resourceName":"x","resourceConfig":`+authConfig+`}`)
	want := "There is already a pending job for the requested appId: app1 and backendEnvironmentName: dev, wait for it to complete before creating a new job."
	if r.status != 400 || r.str("message") != want {
		t.Fatalf("second job: %d %s", r.status, r.raw)
	}
	// A clone is listed under its target too: creating the target is refused.
	h.settle()
	h.ok(h.post("/backend/app1/environments/dev/clone", `{"targetEnvironmentName":"prod"}`))
	if r := h.post("/backend", `{"appId":"app1","appName":"x","backendEnvironmentName":"prod"}`); r.status != 400 || !strings.Contains(r.str("message"), "pending job") {
		t.Errorf("create of a clone's target: %d %s", r.status, r.raw)
	}
	h.settle()
	if st := h.jobStatus("app1", "dev", first.str("jobId")); st.str("status") != "COMPLETED" {
		t.Errorf("first job: %s", st.raw)
	}
	// Once done, new jobs are accepted again.
	h.ok(h.post("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"b","resourceConfig":{}}`))
}

func TestJobs_EffectsApplyOnCompletionOnly(t *testing.T) {
	h := newHarness(t)
	if r := h.post("/backend/app1/details", `{}`); r.status != 404 {
		t.Fatalf("app before any job: %s", r.raw)
	}
	created := h.ok(h.post("/backend", `{"appId":"app1","appName":"n","backendEnvironmentName":"dev"}`))
	if r := h.post("/backend/app1/details", `{}`); r.status != 404 {
		t.Errorf("app visible while its job runs: %s", r.raw)
	}
	jobs := h.ok(h.post("/backend/app1/job/dev", `{}`))
	if !strings.Contains(jobs.raw, created.str("jobId")) {
		t.Errorf("a running job must be listed: %s", jobs.raw)
	}
	h.clock.Advance(jobDuration / 2)
	if _, err := h.runner.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := h.jobStatus("app1", "dev", created.str("jobId")); st.str("status") != "RUNNING" {
		t.Errorf("job finished early: %s", st.raw)
	}
	h.settle()
	st := h.jobStatus("app1", "dev", created.str("jobId"))
	if st.str("status") != "COMPLETED" || st.str("operation") != "CreateBackend" || st.str("updateTime") <= st.str("createTime") {
		t.Errorf("job after its time: %s", st.raw)
	}
	h.ok(h.post("/backend/app1/details", `{}`))

	// A job forced to FAILED changes nothing but itself.
	j := h.ok(h.post("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"a","resourceConfig":{}}`))
	f := h.ok(h.post("/backend/app1/job/dev/"+j.str("jobId"), `{"status":"FAILED"}`))
	if f.str("status") != "FAILED" || f.str("error") == "" {
		t.Errorf("UpdateBackendJob FAILED: %s", f.raw)
	}
	h.settle()
	if r := h.post("/backend/app1/api/dev/details", `{"resourceName":"a"}`); r.status != 404 {
		t.Errorf("a failed job's effect is visible: %s", r.raw)
	}
	if r := h.post("/backend/app1/job/dev/"+j.str("jobId"), `{"status":"RUNNING"}`); r.status != 400 {
		t.Errorf("a finished job went back to RUNNING: %s", r.raw)
	}

	// Forcing COMPLETED applies the effects at once, and may rename the operation.
	j = h.ok(h.post("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"a","resourceConfig":{}}`))
	c := h.ok(h.post("/backend/app1/job/dev/"+j.str("jobId"), `{"status":"COMPLETED","operation":"UpdateBackendAPI"}`))
	if c.str("status") != "COMPLETED" || c.str("operation") != "UpdateBackendAPI" {
		t.Errorf("UpdateBackendJob COMPLETED: %s", c.raw)
	}
	h.ok(h.post("/backend/app1/api/dev/details", `{"resourceName":"a"}`))
	if r := h.post("/backend/app1/job/dev/"+j.str("jobId"), `{"status":"DONE"}`); r.status != 400 || !strings.Contains(r.str("message"), "'status'") {
		t.Errorf("bad status: %s", r.raw)
	}
}

func TestJobs_InvalidSchemaFailsWithLineAndColumn(t *testing.T) {
	h := newHarness(t)
	h.seed()
	h.job("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"a","resourceConfig":{"transformSchema":`+jsonString(schema)+`}}`)
	bad := "type Todo @model {\n  id: ID!\n  name String\n}\n"
	j := h.job("/backend/app1/api/dev", `{"resourceName":"a","resourceConfig":{"transformSchema":`+jsonString(bad)+`}}`)
	st := h.jobStatus("app1", "dev", j.str("jobId"))
	if st.str("status") != "FAILED" || !strings.Contains(st.str("error"), "line 3, column") {
		t.Fatalf("job with an invalid schema: %s", st.raw)
	}
	api := h.ok(h.post("/backend/app1/api/dev/details", `{"resourceName":"a"}`))
	if !strings.Contains(api.raw, "name: String!") {
		t.Errorf("the API lost its previous schema: %s", api.raw)
	}
	j = h.job("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"b","resourceConfig":{"transformSchema":`+jsonString(bad)+`}}`)
	if st := h.jobStatus("app1", "dev", j.str("jobId")); st.str("status") != "FAILED" {
		t.Errorf("create with an invalid schema: %s", st.raw)
	}
	if r := h.post("/backend/app1/api/dev/details", `{"resourceName":"b"}`); r.status != 404 {
		t.Errorf("a failed create left an API: %s", r.raw)
	}
}

func TestListBackendJobs_Pagination(t *testing.T) {
	h := newHarness(t)
	h.seed()
	// 60 jobs: each forced to a status so the next can start.
	for i := range 59 {
		j := h.ok(h.post("/backend/app1/api", fmt.Sprintf(`{"backendEnvironmentName":"dev","resourceName":"r%d","resourceConfig":{}}`, i)))
		status := "COMPLETED"
		if i%3 == 0 {
			status = "FAILED"
		}
		h.ok(h.post("/backend/app1/job/dev/"+j.str("jobId"), `{"status":"`+status+`"}`))
		h.clock.Advance(time.Millisecond)
	}
	var ids, tokens []string
	body := `{"maxResults":25}`
	for page := 0; ; page++ {
		r := h.ok(h.post("/backend/app1/job/dev", body))
		list := r.body["jobs"].([]any)
		for _, j := range list {
			ids = append(ids, j.(map[string]any)["jobId"].(string))
		}
		tok := r.str("nextToken")
		if tok == "" {
			if len(list) != 10 {
				t.Errorf("last page has %d jobs, want 10", len(list))
			}
			break
		}
		if len(list) != 25 {
			t.Errorf("page %d has %d jobs", page, len(list))
		}
		tokens = append(tokens, tok)
		body = `{"maxResults":25,"nextToken":"` + tok + `"}`
	}
	if len(ids) != 60 || len(tokens) != 2 || tokens[0] == tokens[1] {
		t.Fatalf("got %d jobs, tokens %v", len(ids), tokens)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("job %s listed twice", id)
		}
		seen[id] = true
	}
	// Ascending createTime.
	all := h.ok(h.post("/backend/app1/job/dev", `{}`)).body["jobs"].([]any)
	for i := 1; i < len(all); i++ {
		if all[i-1].(map[string]any)["createTime"].(string) > all[i].(map[string]any)["createTime"].(string) {
			t.Fatal("jobs are not in ascending createTime")
		}
	}
	// Filters.
	failed := h.ok(h.post("/backend/app1/job/dev", `{"status":"FAILED"}`)).body["jobs"].([]any)
	if len(failed) != 20 {
		t.Errorf("status filter: %d jobs, want 20", len(failed))
	}
	one := h.ok(h.post("/backend/app1/job/dev", `{"jobId":"`+ids[7]+`"}`)).body["jobs"].([]any)
	if len(one) != 1 {
		t.Errorf("jobId filter: %d jobs", len(one))
	}
	if n := len(h.ok(h.post("/backend/app1/job/dev", `{"operation":"CreateBackend"}`)).body["jobs"].([]any)); n != 1 {
		t.Errorf("operation filter: %d jobs", n)
	}
	// maxResults 0 and negative mean the default page size.
	for _, mr := range []string{"0", "-3"} {
		r := h.ok(h.post("/backend/app1/job/dev", `{"maxResults":`+mr+`}`))
		if len(r.body["jobs"].([]any)) != 25 {
			t.Errorf("maxResults %s: %d jobs", mr, len(r.body["jobs"].([]any)))
		}
	}
	// A token is bound to its environment and filters.
	for _, body := range []string{
		`{"status":"FAILED","nextToken":"` + tokens[0] + `"}`,
		`{"nextToken":"` + tokens[0] + `x"}`,
	} {
		if r := h.post("/backend/app1/job/dev", body); r.status != 400 {
			t.Errorf("foreign token accepted: %s", body)
		}
	}
	h.job("/backend", `{"appId":"app1","appName":"n","backendEnvironmentName":"prod"}`)
	if r := h.post("/backend/app1/job/prod", `{"nextToken":"`+tokens[0]+`"}`); r.status != 400 {
		t.Error("a token of another environment was accepted")
	}
}

func TestPartitions_AreIsolated(t *testing.T) {
	h := newHarness(t)
	sign := func(key, region string) string {
		return "AWS4-HMAC-SHA256 Credential=" + key + "/20260102/" + region + "/amplifybackend/aws4_request, SignedHeaders=host, Signature=00"
	}
	h.auth = sign("111111111111", "eu-west-1")
	h.seed()
	got := h.ok(h.post("/backend/app1/details", `{}`))
	if !strings.Contains(got.str("amplifyMetaConfig"), "arn:aws:iam::111111111111:role/") || !strings.Contains(got.str("amplifyMetaConfig"), `"Region":"eu-west-1"`) {
		t.Errorf("meta of account 111111111111 in eu-west-1: %s", got.str("amplifyMetaConfig"))
	}
	for _, other := range []string{sign("111111111111", "us-west-2"), sign("222222222222", "eu-west-1"), sign("AKIDEXAMPLE", "eu-west-1"), ""} {
		h.auth = other
		if r := h.post("/backend/app1/details", `{}`); r.status != 404 {
			t.Errorf("partition %q sees app1: %s", other, r.raw)
		}
	}
	h.auth = sign("AKIDOTHER", "us-east-1") // non-numeric keys share account 000000000000
	h.seed()
	h.auth = ""
	h.ok(h.post("/backend/app1/details", `{}`))
	h.auth = "AWS4-HMAC-SHA256 Credential=AKID/20260102/bad region!/amplifybackend/aws4_request, Signature=0"
	if r := h.post("/backend/app1/details", `{}`); r.status != 400 {
		t.Errorf("bad region in scope: %s", r.raw)
	}
}

func TestTokens_Expire(t *testing.T) {
	h := newHarness(t)
	h.seed()
	tok := h.ok(h.post("/backend/app1/challenge", ""))
	h.clock.Advance(10*time.Minute - time.Millisecond)
	h.ok(h.do("GET", "/backend/app1/challenge/"+tok.str("sessionId"), ""))
	h.clock.Advance(time.Millisecond)
	if r := h.do("GET", "/backend/app1/challenge/"+tok.str("sessionId"), ""); r.status != 404 || r.str("resourceType") != "Token" {
		t.Errorf("expired token: %s", r.raw)
	}
	if r := h.post("/backend/app1/challenge/"+tok.str("sessionId")+"/remove", ""); r.status != 404 {
		t.Errorf("delete of an expired token: %s", r.raw)
	}
}

func TestTokens_GoWithTheirApp(t *testing.T) {
	h := newHarness(t)
	h.seed()
	tok := h.ok(h.post("/backend/app1/challenge", ""))
	h.job("/backend/app1/remove", `{"cleanAmplifyApp":true}`)
	if r := h.do("GET", "/backend/app1/challenge/"+tok.str("sessionId"), ""); r.status != 404 || r.str("resourceType") != "Token" {
		t.Errorf("token of a removed app: %s", r.raw)
	}
}

func TestCreateBackend_ConcurrentCreatesHaveOneWinner(t *testing.T) {
	h := newHarness(t)
	const n = 16
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i := range n {
		wg.Go(func() {
			r, err := h.try("POST", "/backend", `{"appId":"race","appName":"n","backendEnvironmentName":"dev"}`)
			if err != nil {
				t.Error(err)
			}
			statuses[i] = r.status
		})
	}
	wg.Wait()
	wins := 0
	for _, s := range statuses {
		if s == 200 {
			wins++
		} else if s != 400 {
			t.Errorf("status %d", s)
		}
	}
	if wins != 1 {
		t.Errorf("%d winners, want 1", wins)
	}
}
