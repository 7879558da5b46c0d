package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestJobControl_ManualModeAdvanceAndDurations drives /_amplifylite/jobs/config
// and /_amplifylite/jobs/advance.
func TestJobControl_ManualModeAdvanceAndDurations(t *testing.T) {
	p := startInproc(t, t.TempDir())
	defer p.stop()
	ctx := context.Background()
	runOnce := func() {
		t.Helper()
		if _, err := p.s.Runner.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	put := func(body string) (int, string) {
		t.Helper()
		return p.call(http.MethodPut, "/_amplifylite/jobs/config", body)
	}
	status := func(app, env, id string) string {
		t.Helper()
		return p.must("GET", "/backend/"+app+"/job/"+env+"/"+id, "")["status"].(string)
	}

	if got := p.must("GET", "/_amplifylite/jobs/config", ""); got["mode"] != "auto" || got["duration"] != "0s" {
		t.Fatalf("default config: %v", got)
	}
	p.job("/backend", `{"appId":"app1","appName":"n","backendEnvironmentName":"dev"}`)

	// Manual: nothing finishes on its own.
	if code, body := put(`{"mode":"manual"}`); code != 200 || !strings.Contains(body, `"mode":"manual"`) {
		t.Fatalf("PUT manual: %d %s", code, body)
	}
	auth := p.must("POST", "/backend/app1/auth", `{"backendEnvironmentName":"dev","resourceName":"a1","resourceConfig":{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"signInMethod":"EMAIL","userPoolName":"pool","requiredSignUpAttributes":["EMAIL"]}}}`)
	runOnce()
	if got := status("app1", "dev", auth["jobId"].(string)); got != "RUNNING" {
		t.Fatalf("a job in manual mode: %s", got)
	}
	// Another partition's running job is not advanced by a filter on the account.
	req, _ := http.NewRequest("POST", p.s.URL+"/backend", strings.NewReader(`{"appId":"app9","appName":"n","backendEnvironmentName":"dev"}`))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=111122223333/20260101/eu-west-1/amplifybackend/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("job in another partition: %v %v", resp, err)
	}
	resp.Body.Close()

	code, body := p.call("POST", "/_amplifylite/jobs/advance", `{"account":"000000000000","appId":"app1","operation":"CreateBackendAuth","status":"COMPLETED"}`)
	var adv struct {
		Jobs []map[string]any `json:"jobs"`
	}
	if err := json.Unmarshal([]byte(body), &adv); err != nil || code != 200 || len(adv.Jobs) != 1 {
		t.Fatalf("advance: %d %s", code, body)
	}
	if j := adv.Jobs[0]; j["jobId"] != auth["jobId"] || j["status"] != "COMPLETED" || j["account"] != "000000000000" || j["region"] != "us-east-1" {
		t.Errorf("advanced job: %v", j)
	}
	p.must("POST", "/backend/app1/auth/dev/details", `{"resourceName":"a1"}`) // its effects are applied

	// FAILED with a message.
	api := p.must("POST", "/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{}}`)
	if code, body := p.call("POST", "/_amplifylite/jobs/advance", `{"appId":"app1","environment":"dev","status":"FAILED","error":"injected by the test"}`); code != 200 || !strings.Contains(body, `"error":"injected by the test"`) {
		t.Fatalf("advance FAILED: %d %s", code, body)
	}
	if got := p.must("GET", "/backend/app1/job/dev/"+api["jobId"].(string), ""); got["status"] != "FAILED" || got["error"] != "injected by the test" {
		t.Errorf("failed job: %v", got)
	}
	if code, body := p.call("POST", "/_amplifylite/jobs/advance", `{"appId":"app1"}`); code != 200 || body != `{"jobs":[]}` {
		t.Errorf("advance with nothing running: %d %s", code, body)
	}

	// Back to auto, with a long duration for one operation: the other
	// partition's job (due long ago) finishes, the long one waits.
	if code, body := put(`{"mode":"auto","durations":{"CreateBackendStorage":"1h"}}`); code != 200 || !strings.Contains(body, `"CreateBackendStorage":"1h0m0s"`) {
		t.Fatalf("PUT auto: %d %s", code, body)
	}
	storage := p.must("POST", "/backend/app1/storage", `{"backendEnvironmentName":"dev","resourceName":"files","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["READ"]}}}`)
	runOnce()
	if got := status("app1", "dev", storage["jobId"].(string)); got != "RUNNING" {
		t.Errorf("a job with a 1h duration: %s", got)
	}
	if code, body := p.call("POST", "/_amplifylite/jobs/advance", `{"account":"111122223333","region":"eu-west-1"}`); code != 200 || body != `{"jobs":[]}` {
		t.Errorf("the other partition's job should have finished once auto was back: %d %s", code, body)
	}

	for _, bad := range []struct{ method, path, body string }{
		{"PUT", "/_amplifylite/jobs/config", `{"mode":"sometimes"}`},
		{"PUT", "/_amplifylite/jobs/config", `{"duration":"soon"}`},
		{"PUT", "/_amplifylite/jobs/config", `{"durations":{"GetBackend":"1s"}}`},
		{"PUT", "/_amplifylite/jobs/config", `{"duration":"-1s"}`},
		{"PUT", "/_amplifylite/jobs/config", `{`},
		{"POST", "/_amplifylite/jobs/advance", `{"status":"DONE"}`},
		{"DELETE", "/_amplifylite/jobs/config", ``},
	} {
		if code, body := p.call(bad.method, bad.path, bad.body); code/100 != 4 || !strings.Contains(body, `"message"`) {
			t.Errorf("%s %s %s: %d %s", bad.method, bad.path, bad.body, code, body)
		}
	}
	if got := p.must("GET", "/_amplifylite/jobs/config", ""); got["mode"] != "auto" {
		t.Errorf("a refused PUT changed the config: %v", got)
	}
}
