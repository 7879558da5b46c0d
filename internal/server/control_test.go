package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/sigv4"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// startControl starts a server on a file store with jobs that finish at once,
// as changed by opts.
func startControl(t *testing.T, opts ...func(*Options)) *Server {
	t.Helper()
	o := DefaultOptions()
	o.Listen, o.DataDir, o.JobDuration = "127.0.0.1:0", t.TempDir(), 0
	for _, f := range opts {
		f(&o)
	}
	s, err := Start(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// answer is a decoded HTTP answer.
type answer struct {
	status    int
	errorType string // x-amzn-ErrorType
	body      map[string]any
}

func call(t *testing.T, method, url, body string, header ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, errorType: resp.Header.Get("x-amzn-ErrorType")}
	if len(raw) > 0 && json.Unmarshal(raw, &a.body) != nil {
		t.Fatalf("%s %s: not a JSON object: %s", method, url, raw)
	}
	return a
}

func TestControlPlane_FaultInjection(t *testing.T) {
	s := startControl(t)
	create := func(app string) answer {
		return call(t, "POST", s.URL+"/backend", `{"appId":"`+app+`","appName":"n","backendEnvironmentName":"dev"}`)
	}
	rule := call(t, "POST", s.URL+"/_amplifylite/faults",
		`{"operation":"CreateBackend","appId":"faulty","count":2,"error":{"statusCode":500,"code":"InternalServiceException","message":"injected"}}`)
	if rule.status != 200 || rule.body["id"] == nil {
		t.Fatalf("POST rule: %+v", rule)
	}
	for range 2 {
		if a := create("faulty"); a.status != 500 || a.errorType != "InternalServiceException" ||
			a.body["__type"] != "InternalServiceException" || a.body["message"] != "injected" {
			t.Errorf("injected: %+v", a)
		}
	}
	// Nothing changed: the app does not exist.
	if a := call(t, "POST", s.URL+"/backend/faulty/details", `{}`); a.status != 404 {
		t.Errorf("GetBackend after the injected failures: %+v", a)
	}
	if a := create("other"); a.status != 200 {
		t.Errorf("another app was hit: %+v", a)
	}
	if a := create("faulty"); a.status != 200 {
		t.Errorf("the third call (count 2 used up): %+v", a)
	}
	if a := call(t, "GET", s.URL+"/_amplifylite/faults", ""); len(a.body["faults"].([]any)) != 0 {
		t.Errorf("the used-up rule is still listed: %+v", a)
	}

	// The apps exist once their CreateBackend jobs (due at once) finish:
	// finish them now rather than race the runner.
	if _, err := s.Runner.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}

	// A gateway timeout for one account only, and a measured delay.
	call(t, "POST", s.URL+"/_amplifylite/faults", `{"operation":"GetBackend","account":"111122223333","error":{"statusCode":504,"code":"GatewayTimeoutException"}}`)
	call(t, "POST", s.URL+"/_amplifylite/faults", `{"id":"slow","operation":"ListS3Buckets","latencyMs":150}`)
	if a := call(t, "POST", s.URL+"/backend/other/details", `{}`); a.status != 200 {
		t.Errorf("the default account was hit: %+v", a)
	}
	signed := "AWS4-HMAC-SHA256 Credential=111122223333/20260101/us-east-1/amplifybackend/aws4_request, SignedHeaders=host, Signature=00"
	if a := call(t, "POST", s.URL+"/backend/other/details", `{}`, "Authorization", signed); a.status != 504 || a.errorType != "GatewayTimeoutException" {
		t.Errorf("account 111122223333: %+v", a)
	}
	start := time.Now()
	if a := call(t, "POST", s.URL+"/s3Buckets", `{}`); a.status != 200 || time.Since(start) < 150*time.Millisecond {
		t.Errorf("delayed ListS3Buckets: %+v after %v", a, time.Since(start))
	}
	j := call(t, "GET", s.URL+"/_amplifylite/requests?limit=1", "")
	if e := j.body["requests"].([]any)[0].(map[string]any); e["operation"] != "ListS3Buckets" || e["fault"] != "slow" || e["durationMs"].(float64) < 150 {
		t.Errorf("journal of the delayed call: %v", e)
	}
	if a := call(t, "DELETE", s.URL+"/_amplifylite/faults/slow", ""); a.status != 200 || a.body["id"] != "slow" {
		t.Errorf("DELETE slow: %+v", a)
	}
	if a := call(t, "DELETE", s.URL+"/_amplifylite/faults", ""); a.status != 200 || a.body["deleted"] != 1.0 {
		t.Errorf("DELETE all: %+v", a)
	}
}

func TestControlPlane_JournalAndEvents(t *testing.T) {
	s := startControl(t)
	resp, err := http.Get(s.URL + "/_amplifylite/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := bufio.NewReader(resp.Body)
	next := func() (kind string, data map[string]any) {
		t.Helper()
		for {
			line, err := events.ReadString('\n')
			if err != nil {
				t.Fatalf("events: %v", err)
			}
			switch line = strings.TrimSuffix(line, "\n"); {
			case line == "" && kind != "":
				return kind, data
			case strings.HasPrefix(line, "event: "):
				kind = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				if err := json.Unmarshal([]byte(line[len("data: "):]), &data); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if _, err := events.ReadString('\n'); err != nil { // subscribed once the first bytes are in
		t.Fatal(err)
	}

	a := call(t, "POST", s.URL+"/backend", `{"appId":"app","appName":"n","backendEnvironmentName":"dev"}`)
	jobID := a.body["jobId"]
	var jobs []map[string]any
	var request map[string]any
	for len(jobs) < 2 || request == nil {
		kind, data := next()
		switch kind {
		case "job":
			jobs = append(jobs, data)
		case "request":
			request = data
		}
	}
	if request["operation"] != "CreateBackend" || request["status"] != 200.0 || request["signature"] != "none" {
		t.Errorf("request event: %v", request)
	}
	for i, want := range [][2]string{{"", "RUNNING"}, {"RUNNING", "COMPLETED"}} {
		e := jobs[i]
		if e["jobId"] != jobID || e["appId"] != "app" || e["environment"] != "dev" || e["operation"] != "CreateBackend" ||
			e["oldStatus"] != want[0] || e["newStatus"] != want[1] {
			t.Errorf("job event %d: %v, want %s → %s", i, e, want[0], want[1])
		}
	}

	call(t, "POST", s.URL+"/backend/app/details", `{}`)
	call(t, "GET", s.URL+"/_amplifylite/info", "") // not journaled
	j := call(t, "GET", s.URL+"/_amplifylite/requests?limit=5", "")
	reqs := j.body["requests"].([]any)
	if len(reqs) != 2 || j.body["total"] != 2.0 {
		t.Fatalf("journal: %v", j.body)
	}
	first, second := reqs[0].(map[string]any), reqs[1].(map[string]any)
	if first["operation"] != "GetBackend" || second["operation"] != "CreateBackend" || second["requestId"] != request["requestId"] {
		t.Errorf("journal, newest first: %v", reqs)
	}
	for _, k := range []string{"time", "requestId", "operation", "method", "path", "status", "errorType", "duration", "account", "region", "signature"} {
		if _, ok := first[k]; !ok {
			t.Errorf("journal entry without %s: %v", k, first)
		}
	}
}

func TestControlPlane_MetricsAndInfo(t *testing.T) {
	s := startControl(t)
	call(t, "POST", s.URL+"/backend", `{"appId":"app","appName":"n","backendEnvironmentName":"dev"}`)
	call(t, "POST", s.URL+"/backend/nope/details", `{}`)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if a := call(t, "POST", s.URL+"/backend/app/details", `{}`); a.status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the job did not complete")
		}
	}
	// The job's end is visible to reads once committed, which is before its
	// fsync and the hooks that count it: scrape until they have run.
	var mfs map[string]*dto.MetricFamily
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mfs = scrape(t, s.URL+"/metrics")
		if mf := mfs["amplifylite_jobs_running"]; mf != nil && len(mf.GetMetric()) > 0 && mf.GetMetric()[0].GetGauge().GetValue() == 0 {
			if mf := mfs["amplifylite_store_commit_seconds"]; mf != nil && len(mf.GetMetric()) > 0 && mf.GetMetric()[0].GetHistogram().GetSampleCount() >= 2 {
				break
			}
		}
		if time.Now().After(deadline) {
			break // the checks below say what is missing
		}
	}
	value := func(name string, labels ...string) float64 {
		t.Helper()
		mf := mfs[name]
		if mf == nil {
			t.Errorf("%s: missing", name)
			return -1
		}
	next:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				if !hasLabel(m, labels[i], labels[i+1]) {
					continue next
				}
			}
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				return m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				return m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
		t.Errorf("%s%v: no sample", name, labels)
		return -1
	}
	for _, tt := range []struct {
		name   string
		labels []string
		min    float64
	}{
		{"amplifylite_requests_total", []string{"operation", "CreateBackend", "code", "200"}, 1},
		{"amplifylite_requests_total", []string{"operation", "GetBackend", "code", "404"}, 1},
		{"amplifylite_request_duration_seconds", []string{"operation", "GetBackend"}, 2},
		{"amplifylite_jobs_started_total", []string{"operation", "CreateBackend"}, 1},
		{"amplifylite_jobs_finished_total", []string{"operation", "CreateBackend", "outcome", "completed"}, 1},
		{"amplifylite_job_run_seconds", []string{"operation", "CreateBackend"}, 1},
		{"amplifylite_store_commit_seconds", nil, 2}, // the job's creation and its end
		{"amplifylite_store_commit_batch_size", nil, 2},
		{"amplifylite_build_info", nil, 1},
	} {
		if got := value(tt.name, tt.labels...); got < tt.min {
			t.Errorf("%s%v = %v, want ≥ %v", tt.name, tt.labels, got, tt.min)
		}
	}
	if got := value("amplifylite_jobs_running"); got != 0 {
		t.Errorf("amplifylite_jobs_running = %v", got)
	}

	info := call(t, "GET", s.URL+"/_amplifylite/info", "")
	counts, _ := info.body["counts"].(map[string]any)
	if info.status != 200 || info.body["version"] != version() || info.body["store"] != "sqlite" || info.body["startTime"] == nil ||
		counts["runningJobs"] != 0.0 || counts["requests"].(float64) < 3 {
		t.Errorf("info: %+v", info)
	}
	health := call(t, "GET", s.URL+"/_amplifylite/health", "")
	if health.status != 200 || len(health.body) != 4 || health.body["status"] != "ok" || health.body["jobs"] != "ok" ||
		health.body["store"] != "sqlite" || health.body["version"] != version() {
		t.Errorf("health keeps its shape: %+v", health)
	}
}

func hasLabel(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}

func TestControlPlane_Access(t *testing.T) {
	creds := []sigv4.Credential{{AccessKeyID: "AKID", SecretAccessKey: "s"}}
	openPaths := []string{"/_amplifylite/health", "/_amplifylite/info", "/metrics"}
	t.Run("open without credentials", func(t *testing.T) {
		s := startControl(t, func(o *Options) { o.AdminToken = "unused" })
		if a := call(t, "GET", s.URL+"/_amplifylite/faults", ""); a.status != 200 {
			t.Errorf("faults: %+v", a)
		}
	})
	t.Run("closed with credentials and no admin token", func(t *testing.T) {
		s := startControl(t, func(o *Options) { o.Credentials = creds })
		for _, path := range openPaths {
			if resp, err := http.Get(s.URL + path); err != nil || resp.StatusCode != 200 {
				t.Errorf("%s: %v %v", path, resp, err)
			} else {
				resp.Body.Close()
			}
		}
		for _, path := range []string{"/_amplifylite/faults", "/_amplifylite/requests", "/_amplifylite/events"} {
			if a := call(t, "GET", s.URL+path, "", "Authorization", "Bearer x"); a.status != 403 || a.errorType != "AccessDeniedException" {
				t.Errorf("%s: %+v", path, a)
			}
		}
		if a := call(t, "POST", s.URL+"/_amplifylite/faults", `{"latencyMs":1}`); a.status != 403 {
			t.Errorf("POST faults: %+v", a)
		}
	})
	t.Run("the admin token's bearer with credentials", func(t *testing.T) {
		s := startControl(t, func(o *Options) { o.Credentials, o.AdminToken = creds, "t0ken" })
		if a := call(t, "GET", s.URL+"/_amplifylite/requests", ""); a.status != 403 || a.errorType != "AccessDeniedException" {
			t.Errorf("no token: %+v", a)
		}
		if a := call(t, "GET", s.URL+"/_amplifylite/requests", "", "Authorization", "Bearer nope"); a.status != 403 {
			t.Errorf("wrong token: %+v", a)
		}
		if a := call(t, "POST", s.URL+"/_amplifylite/faults", `{"latencyMs":1}`, "Authorization", "Bearer t0ken"); a.status != 200 {
			t.Errorf("with the token: %+v", a)
		}
		// The API still wants signatures, and the admin token is not one.
		if a := call(t, "POST", s.URL+"/s3Buckets", `{}`, "Authorization", "Bearer t0ken"); a.status != 403 {
			t.Errorf("API with the admin token: %+v", a)
		}
		j := call(t, "GET", s.URL+"/_amplifylite/requests", "", "Authorization", "Bearer t0ken")
		if e := j.body["requests"].([]any)[0].(map[string]any); e["signature"] != "invalid" {
			t.Errorf("journal of the refused request: %v", e)
		}
	})
}

func TestControlPlane_ShutdownEndsEventStreams(t *testing.T) {
	s := startControl(t)
	resp, err := http.Get(s.URL + "/_amplifylite/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close waited %v for an open event stream", took)
	}
}

// scrape reads and parses the metrics at url.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return mfs
}
