package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/server"
)

// inproc is a server started in-process on a data dir, so that a test can
// restart it cheaply.
type inproc struct {
	t *testing.T
	s *server.Server
}

func startInproc(t *testing.T, dir string) *inproc {
	t.Helper()
	opts := server.DefaultOptions()
	opts.Listen, opts.DataDir, opts.JobDuration = "127.0.0.1:0", dir, 0
	s, err := server.Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	return &inproc{t: t, s: s}
}

func (p *inproc) stop() {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.s.Close(ctx); err != nil {
		p.t.Fatalf("close: %v", err)
	}
}

func (p *inproc) call(method, path, body string) (int, string) {
	p.t.Helper()
	req, err := http.NewRequest(method, p.s.URL+path, strings.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.StatusCode, string(raw)
}

// must calls and fails the test unless the answer is 200; it returns the
// decoded answer.
func (p *inproc) must(method, path, body string) map[string]any {
	p.t.Helper()
	status, raw := p.call(method, path, body)
	if status != 200 {
		p.t.Fatalf("%s %s: %d %s", method, path, status, raw)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		p.t.Fatalf("%s %s: %v: %q", method, path, err, raw)
	}
	return m
}

// job starts a job of app1's environment dev and waits until it is COMPLETED.
func (p *inproc) job(path, body string) string {
	p.t.Helper()
	m := p.must("POST", path, body)
	id, _ := m["jobId"].(string)
	app, env := "app1", "dev"
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		got := p.must("GET", fmt.Sprintf("/backend/%s/job/%s/%s", app, env, id), "")
		switch got["status"] {
		case "COMPLETED":
			return id
		case "FAILED":
			p.t.Fatalf("%s: job failed: %v", path, got)
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.t.Fatalf("%s: job still RUNNING", path)
	return ""
}

// TestRestart_FirstReadOfEveryReadOperation restarts the server before each
// read operation, so that every one of them is the first request a fresh
// process serves on an existing data dir (empty caches, nothing written yet),
// and checks that it answers what it answered before the restart.
func TestRestart_FirstReadOfEveryReadOperation(t *testing.T) {
	dir := t.TempDir()
	p := startInproc(t, dir)
	p.job("/backend", `{"appId":"app1","appName":"first","backendEnvironmentName":"dev"}`)
	p.job("/backend/app1/auth", `{"backendEnvironmentName":"dev","resourceName":"auth1","resourceConfig":{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"signInMethod":"EMAIL","userPoolName":"pool","requiredSignUpAttributes":["EMAIL"]}}}`)
	p.job("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"apiName":"api1","transformSchema":"type Todo @model { id: ID! name: String }"}}`)
	p.job("/backend/app1/api/dev/generateModels", `{"resourceName":"api1"}`)
	p.job("/backend/app1/storage", `{"backendEnvironmentName":"dev","resourceName":"files","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["READ"]}}}`)
	jobID := p.job("/backend/app1/config", `{}`)
	tok := p.must("POST", "/backend/app1/challenge", "")
	page := p.must("POST", "/backend/app1/job/dev", `{"maxResults":2}`)

	reads := []struct{ name, method, path, body string }{
		{"GetBackend", "POST", "/backend/app1/details", `{}`},
		{"GetBackend/env", "POST", "/backend/app1/details", `{"backendEnvironmentName":"dev"}`},
		{"GetBackendAuth", "POST", "/backend/app1/auth/dev/details", `{"resourceName":"auth1"}`},
		{"GetBackendAPI", "POST", "/backend/app1/api/dev/details", `{"resourceName":"api1"}`},
		{"GetBackendAPIModels", "POST", "/backend/app1/api/dev/getModels", `{"resourceName":"api1"}`},
		{"GetBackendStorage", "POST", "/backend/app1/storage/dev/details", `{"resourceName":"files"}`},
		{"GetBackendJob", "GET", "/backend/app1/job/dev/" + jobID, ""},
		{"ListBackendJobs", "POST", "/backend/app1/job/dev", `{}`},
		{"ListBackendJobs/page", "POST", "/backend/app1/job/dev", `{"maxResults":2}`},
		{"ListBackendJobs/next", "POST", "/backend/app1/job/dev", `{"maxResults":2,"nextToken":"` + page["nextToken"].(string) + `"}`},
		{"GetToken", "GET", "/backend/app1/challenge/" + tok["sessionId"].(string), ""},
		{"ListS3Buckets", "POST", "/s3Buckets", `{}`},
		{"GetBackend/missing", "POST", "/backend/nope/details", `{}`},
	}
	want := map[string]string{}
	for _, r := range reads {
		status, raw := p.call(r.method, r.path, r.body)
		want[r.name] = answer(status, raw)
	}
	p.stop()
	for _, r := range reads {
		t.Run(r.name, func(t *testing.T) {
			p := startInproc(t, dir)
			defer p.stop()
			status, raw := p.call(r.method, r.path, r.body)
			if got := answer(status, raw); got != want[r.name] {
				t.Errorf("first %s after restart:\n got %s\nwant %s", r.name, got, want[r.name])
			}
			// And again, now that the process has served one request.
			status, raw = p.call(r.method, r.path, r.body)
			if got := answer(status, raw); got != want[r.name] {
				t.Errorf("second %s after restart:\n got %s\nwant %s", r.name, got, want[r.name])
			}
		})
	}
}

// nonce matches a page token, which differs at every call.
var nonce = regexp.MustCompile(`"nextToken":"[^"]*"`)

func answer(status int, raw string) string {
	return fmt.Sprint(status, " ", nonce.ReplaceAllString(raw, `"nextToken":"…"`))
}
