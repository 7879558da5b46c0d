package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/httpapi"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

var partition = backend.Partition{Account: "000000000000", Region: "us-east-1"}

// do sends a request to the plane and decodes the JSON answer into a map (or
// a list, for arrays).
func do(t *testing.T, h http.Handler, method, path, body string, header ...string) (int, http.Header, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var v map[string]any
	if ct := w.Header().Get("Content-Type"); strings.HasPrefix(ct, "application/json") {
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
			t.Fatalf("%s %s: body %q: %v", method, path, w.Body, err)
		}
	}
	return w.Code, w.Header(), v
}

// wantError checks a control-plane error answer: the status and the
// exception in the header and the body.
func wantError(t *testing.T, code int, h http.Header, v map[string]any, wantCode int, wantType string) {
	t.Helper()
	if code != wantCode || errorType(h) != wantType || v["__type"] != wantType || v["message"] == "" {
		t.Errorf("got %d %q %v, want %d %s with a message", code, errorType(h), v, wantCode, wantType)
	}
}

// errorType is the x-amzn-ErrorType header, sent with AWS's casing.
func errorType(h http.Header) string {
	if v := h["x-amzn-ErrorType"]; len(v) == 1 {
		return v[0]
	}
	return ""
}

func TestFaults_Endpoints(t *testing.T) {
	p := New(Config{})
	code, _, v := do(t, p, "POST", "/_amplifylite/faults",
		`{"operation":"GetBackend","count":2,"error":{"statusCode":429,"code":"TooManyRequestsException","message":"Rate exceeded"}}`)
	if code != 200 || v["id"] == "" || v["probability"] != 1.0 || v["count"] != 2.0 || v["remaining"] != 2.0 || v["injected"] != 0.0 {
		t.Fatalf("POST one rule: %d %v", code, v)
	}
	id := v["id"].(string)
	if e := v["error"].(map[string]any); e["statusCode"] != 429.0 || e["code"] != "TooManyRequestsException" || e["message"] != "Rate exceeded" {
		t.Errorf("error member: %v", e)
	}

	code, _, v = do(t, p, "POST", "/_amplifylite/faults",
		`[{"id":"slow","latencyMs":5},{"region":"eu-west-1","probability":0.5,"error":{"statusCode":500,"code":"InternalServiceException"}}]`)
	list, _ := v["faults"].([]any)
	if code != 200 || len(list) != 2 || list[0].(map[string]any)["id"] != "slow" {
		t.Fatalf("POST two rules: %d %v", code, v)
	}
	if msg := list[1].(map[string]any)["error"].(map[string]any)["message"]; !strings.Contains(msg.(string), "amplifylite") {
		t.Errorf("default message: %v", msg)
	}

	code, _, v = do(t, p, "GET", "/_amplifylite/faults", "")
	if list, _ := v["faults"].([]any); code != 200 || len(list) != 3 || list[0].(map[string]any)["id"] != id {
		t.Fatalf("GET: %d %v", code, v)
	}
	if code, _, v = do(t, p, "GET", "/_amplifylite/faults/slow", ""); code != 200 || v["latencyMs"] != 5.0 {
		t.Errorf("GET one: %d %v", code, v)
	}
	code, _, v = do(t, p, "POST", "/_amplifylite/faults", `{"id":"spelt","service":"amplifybackend","operation":"get-backend-job","latencyMs":1,"description":"CLI spelling"}`)
	if code != 200 || v["operation"] != "GetBackendJob" || v["description"] != "CLI spelling" {
		t.Errorf("POST with the CLI's spelling: %d %v", code, v)
	}
	do(t, p, "DELETE", "/_amplifylite/faults/spelt", "")
	code, h, v := do(t, p, "POST", "/_amplifylite/faults", `{"id":"slow","latencyMs":1}`)
	wantError(t, code, h, v, 409, "ConflictException")

	if code, _, v = do(t, p, "DELETE", "/_amplifylite/faults/slow", ""); code != 200 || v["id"] != "slow" {
		t.Errorf("DELETE one: %d %v", code, v)
	}
	code, h, v = do(t, p, "DELETE", "/_amplifylite/faults/slow", "")
	wantError(t, code, h, v, 404, "NotFoundException")
	code, h, v = do(t, p, "GET", "/_amplifylite/faults/slow", "")
	wantError(t, code, h, v, 404, "NotFoundException")

	if code, _, v = do(t, p, "DELETE", "/_amplifylite/faults", ""); code != 200 || v["deleted"] != 2.0 {
		t.Errorf("DELETE all: %d %v", code, v)
	}
	if code, _, v = do(t, p, "GET", "/_amplifylite/faults", ""); code != 200 || len(v["faults"].([]any)) != 0 {
		t.Errorf("GET after DELETE: %d %v", code, v)
	}
	if f := p.Inject(httpapi.Call{Operation: "GetBackend", Partition: partition}); f != (httpapi.Fault{}) {
		t.Errorf("a deleted rule still fires: %+v", f)
	}
}

func TestFaults_RejectsBadRules(t *testing.T) {
	p := New(Config{})
	for _, body := range []string{
		``, `nope`, `{}`, `{"operation":"GetBackend"}`, // neither error nor latency
		`{"operation":"NoSuchOperation","latencyMs":1}`, `{"service":"s3","latencyMs":1}`,
		`{"account":"12","latencyMs":1}`,
		`{"probability":1.5,"latencyMs":1}`, `{"probability":-0.1,"latencyMs":1}`,
		`{"count":0,"latencyMs":1}`,
		`{"latencyMs":-1}`, `{"latencyMs":600001}`,
		`{"error":{"statusCode":200,"code":"X"}}`, `{"error":{"statusCode":429}}`, `{"error":{"statusCode":429,"code":"Two words"}}`,
		`{"latencyMs":1,"typo":true}`, `{"latencyMs":1,"error":{"statusCode":500,"code":"X","extra":1}}`,
		`[{"latencyMs":1},{"latencyMs":-1}]`, // all or none
		`{"latencyMs":1} {"latencyMs":2}`,
	} {
		code, h, v := do(t, p, "POST", "/_amplifylite/faults", body)
		if code != 400 || errorType(h) != "BadRequestException" || v["message"] == "" {
			t.Errorf("%s: %d %v", body, code, v)
		}
	}
	if got := p.faults.list(); len(got) != 0 {
		t.Errorf("rules kept from refused requests: %+v", got)
	}
}

func TestFaults_Match(t *testing.T) {
	call := func(op, account, region string) httpapi.Call {
		return httpapi.Call{Operation: op, Partition: backend.Partition{Account: account, Region: region}}
	}
	add := func(t *testing.T, p *Plane, rules ...Rule) {
		t.Helper()
		if _, err := p.faults.add(rules, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	throttle := &RuleError{StatusCode: 429, Code: "TooManyRequestsException", Message: "slow down"}
	n := func(i int) *int { return &i }

	t.Run("filters", func(t *testing.T) {
		p := New(Config{})
		add(t, p, Rule{Operation: "GetBackend", Account: "111122223333", Region: "eu-west-1", Error: throttle})
		for _, c := range []httpapi.Call{
			call("GetBackendJob", "111122223333", "eu-west-1"),
			call("GetBackend", "000000000000", "eu-west-1"),
			call("GetBackend", "111122223333", "us-east-1"),
		} {
			if f := p.Inject(c); f.Rule != "" {
				t.Errorf("%+v matched: %+v", c, f)
			}
		}
		f := p.Inject(call("GetBackend", "111122223333", "eu-west-1"))
		if f.Status != 429 || f.Type != "TooManyRequestsException" || f.Message != "slow down" || f.Rule == "" || f.Delay != 0 {
			t.Errorf("matching call: %+v", f)
		}
	})
	t.Run("count", func(t *testing.T) {
		p := New(Config{})
		add(t, p, Rule{Count: n(2), Error: throttle})
		for i := range 3 {
			f := p.Inject(call("ListS3Buckets", "000000000000", "us-east-1"))
			if got, want := f.Type != "", i < 2; got != want {
				t.Errorf("call %d: injected %v, want %v", i+1, got, want)
			}
		}
		if len(p.faults.list()) != 0 {
			t.Error("an exhausted rule is still listed")
		}
	})
	t.Run("probability", func(t *testing.T) {
		p := New(Config{})
		half := 0.5
		add(t, p, Rule{Probability: &half, Count: n(1), Error: throttle})
		draws := []float64{0.7, 0.5, 0.2} // fires when the draw is below the probability
		p.faults.random = func() float64 { d := draws[0]; draws = draws[1:]; return d }
		for i, want := range []bool{false, false, true} {
			if got := p.Inject(call("GetToken", "000000000000", "us-east-1")).Type != ""; got != want {
				t.Errorf("draw %d: injected %v, want %v", i, got, want)
			}
		}
	})
	t.Run("delays add up until an error", func(t *testing.T) {
		p := New(Config{})
		add(t, p, Rule{ID: "a", LatencyMs: 10}, Rule{ID: "b", LatencyMs: 20, Error: throttle}, Rule{ID: "c", LatencyMs: 40, Count: n(1)})
		f := p.Inject(call("GetBackend", "000000000000", "us-east-1"))
		if f.Delay != 30*time.Millisecond || f.Rule != "b" || f.Type != throttle.Code {
			t.Errorf("got %+v", f)
		}
		if r, _ := p.faults.get("c"); r.Injected != 0 || *r.Remaining != 1 {
			t.Errorf("the rule after the error was used: %+v", r)
		}
		if r, _ := p.faults.get("a"); r.Injected != 1 {
			t.Errorf("injected count: %+v", r)
		}
	})
}

// TestJournal_KeepsEveryExchangeWhole: the ring's records give back each
// exchange as it was observed, whatever its strings: ones that fit the
// record's text, a path too long for it (kept aside, and dropped once its
// slot is reused), and empty fields.
func TestJournal_KeepsEveryExchangeWhole(t *testing.T) {
	j := newJournal(2)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	full := httpapi.Exchange{Start: t0, Duration: 1234 * time.Microsecond, RequestID: "0b5e4d2c-0000-4000-8000-000000000001",
		Operation: "GetBackend", Method: "POST", Path: "/backend/a%2Fb/details", Status: 404, ErrorType: "NotFoundException",
		Account: "123456789012", Region: "eu-west-3", Signature: httpapi.SignatureValid, Fault: "rule-1"}
	long := full
	long.Path = "/" + strings.Repeat("ä", recordText)
	empty := httpapi.Exchange{Start: t0.Add(time.Second)}
	same := func(got, want httpapi.Exchange) bool {
		return got.Start.Equal(want.Start) && got.Start.UTC() == want.Start.UTC() &&
			(got == httpapi.Exchange{Start: got.Start, Duration: want.Duration, RequestID: want.RequestID, Operation: want.Operation,
				Method: want.Method, Path: want.Path, Status: want.Status, ErrorType: want.ErrorType, Account: want.Account,
				Region: want.Region, Signature: want.Signature, Fault: want.Fault})
	}
	for _, step := range []struct {
		add  httpapi.Exchange
		want []httpapi.Exchange // newest first
		big  int
	}{
		{full, []httpapi.Exchange{full}, 0},
		{long, []httpapi.Exchange{long, full}, 1},
		{empty, []httpapi.Exchange{empty, long}, 1},
		{full, []httpapi.Exchange{full, empty}, 0},
	} {
		j.add(&step.add)
		got, _ := j.last(10, func(*httpapi.Exchange) bool { return true })
		if len(got) != len(step.want) || len(j.big) != step.big {
			t.Fatalf("after adding %q: %d entries, %d kept aside; want %d, %d", step.add.Path, len(got), len(j.big), len(step.want), step.big)
		}
		for i := range got {
			if !same(got[i], step.want[i]) {
				t.Errorf("after adding %q, entry %d: %+v, want %+v", step.add.Path, i, got[i], step.want[i])
			}
		}
	}
}

func TestJournal_RingNewestFirst(t *testing.T) {
	p := New(Config{JournalSize: 3})
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 5 {
		p.Observe(httpapi.Exchange{Start: t0.Add(time.Duration(i) * time.Second), Duration: 1500 * time.Microsecond,
			RequestID: string(rune('a' + i)), Operation: "GetBackend", Method: "POST", Path: "/backend/x/details",
			Status: 200 + i%2*204, ErrorType: map[bool]string{true: "NotFoundException"}[i%2 == 1],
			Account: "000000000000", Region: "us-east-1", Signature: httpapi.SignatureValid})
	}
	code, _, v := do(t, p, "GET", "/_amplifylite/requests", "")
	reqs, _ := v["requests"].([]any)
	if code != 200 || len(reqs) != 3 || v["total"] != 5.0 || v["capacity"] != 3.0 {
		t.Fatalf("got %d %v", code, v)
	}
	for i, want := range []string{"e", "d", "c"} {
		if id := reqs[i].(map[string]any)["requestId"]; id != want {
			t.Errorf("entry %d: %v, want %s", i, id, want)
		}
	}
	got := reqs[1].(map[string]any)
	want := map[string]any{"time": "2026-01-02T03:04:08Z", "requestId": "d", "operation": "GetBackend", "method": "POST",
		"path": "/backend/x/details", "status": 404.0, "errorType": "NotFoundException", "duration": 1.5, "durationMs": 1.5,
		"account": "000000000000", "region": "us-east-1", "signature": "valid"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
	if _, _, v = do(t, p, "GET", "/_amplifylite/requests?limit=1", ""); len(v["requests"].([]any)) != 1 {
		t.Errorf("limit=1: %v", v)
	}
	if _, _, v = do(t, p, "GET", "/_amplifylite/requests?status=404", ""); len(v["requests"].([]any)) != 1 {
		t.Errorf("status=404: %v", v)
	}
	if _, _, v = do(t, p, "GET", "/_amplifylite/requests?limit=0", ""); v["requests"] == nil || len(v["requests"].([]any)) != 0 {
		t.Errorf("limit=0: %v", v)
	}
	for _, q := range []string{"limit=-1", "limit=x", "status=x"} {
		code, h, v := do(t, p, "GET", "/_amplifylite/requests?"+q, "")
		wantError(t, code, h, v, 400, "BadRequestException")
	}
}

// sse reads a Server-Sent Events stream.
type sse struct {
	r    *bufio.Reader
	body io.Closer
}

func subscribe(t *testing.T, url string) *sse {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &sse{r: bufio.NewReader(resp.Body), body: resp.Body}
	if kind, _ := s.next(t); kind != "" { // the opening comment
		t.Fatalf("first event %q", kind)
	}
	return s
}

// next returns the next event's type and data; "" for a comment-only block.
func (s *sse) next(t *testing.T) (kind string, data map[string]any) {
	t.Helper()
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatalf("read event: %v", err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			return kind, data
		case strings.HasPrefix(line, "event: "):
			kind = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &data); err != nil {
				t.Fatalf("data %q: %v", line, err)
			}
		}
	}
}

func TestEvents_RequestsAndJobs(t *testing.T) {
	p := New(Config{})
	srv := httptest.NewServer(p)
	defer srv.Close()
	all := subscribe(t, srv.URL+"/_amplifylite/events")
	jobsOnly := subscribe(t, srv.URL+"/_amplifylite/events?types=job")

	p.Observe(httpapi.Exchange{RequestID: "r1", Operation: "CreateBackend", Status: 200, Signature: "none"})
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p.OnJob(backend.JobEvent{Partition: partition, AppID: "app", Envs: []string{"dev", "prod"}, JobID: "j1", Operation: "CloneBackend",
		OldStatus: "RUNNING", NewStatus: "FAILED", Error: "boom", Created: created, Updated: created.Add(time.Second)})

	kind, data := all.next(t)
	if kind != "request" || data["requestId"] != "r1" || data["operation"] != "CreateBackend" {
		t.Errorf("first event: %s %v", kind, data)
	}
	for _, s := range []*sse{all, jobsOnly} {
		kind, data = s.next(t)
		want := map[string]any{"appId": "app", "environment": "dev", "jobId": "j1", "operation": "CloneBackend", "oldStatus": "RUNNING",
			"newStatus": "FAILED", "status": "FAILED", "error": "boom", "account": "000000000000", "region": "us-east-1",
			"time": "2026-01-01T00:00:01Z"}
		if kind != "job" {
			t.Errorf("event %s, want job", kind)
		}
		for k, w := range want {
			if data[k] != w {
				t.Errorf("job event %s = %v, want %v", k, data[k], w)
			}
		}
	}
	code, h, v := do(t, p, "GET", "/_amplifylite/events?types=nope", "")
	wantError(t, code, h, v, 400, "BadRequestException")

	// Close ends the streams.
	p.Close()
	if _, err := io.ReadAll(all.r); err != nil {
		t.Errorf("stream after Close: %v", err)
	}
}

func TestEvents_SlowSubscriberIsToldWhatItMissed(t *testing.T) {
	p := New(Config{})
	sub := p.events.subscribe(nil)
	for range subscriberBuffer + 5 {
		p.Observe(httpapi.Exchange{Operation: "GetBackend"})
	}
	evs, dropped := sub.take(nil)
	if len(evs) != subscriberBuffer || dropped != 5 || evs[0].id != 1 {
		t.Errorf("took %d events (the first #%d) and %d dropped, want %d from #1 and 5", len(evs), evs[0].id, dropped, subscriberBuffer)
	}
	if evs, dropped = sub.take(evs); len(evs) != 0 || dropped != 0 {
		t.Errorf("a second take: %d events, %d dropped", len(evs), dropped)
	}
	p.events.unsubscribe(sub)
	if p.events.subscribed() {
		t.Error("still subscribed")
	}
}

// scrape parses GET /metrics with Prometheus' text parser.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(w.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return mfs
}

func counter(m *dto.Metric) float64 { return m.GetCounter().GetValue() }
func gauge(m *dto.Metric) float64   { return m.GetGauge().GetValue() }
func count(m *dto.Metric) float64   { return float64(m.GetHistogram().GetSampleCount()) }
func sum(m *dto.Metric) float64     { return m.GetHistogram().GetSampleSum() }

// metric returns the sample of the family with the labels, or nil.
func metric(mfs map[string]*dto.MetricFamily, name string, labels ...string) *dto.Metric {
	mf := mfs[name]
	if mf == nil {
		return nil
	}
next:
	for _, m := range mf.GetMetric() {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		return m
	}
	return nil
}

func TestMetrics_PrometheusText(t *testing.T) {
	running := 3
	p := New(Config{Version: "v9.9.9", RunningJobs: func(context.Context) (int, error) { return running, nil }})
	for range 2 {
		p.Observe(httpapi.Exchange{Operation: "GetBackend", Status: 200, Duration: 2 * time.Millisecond})
	}
	p.Observe(httpapi.Exchange{Operation: "GetBackend", Status: 404, Duration: time.Millisecond})
	created := time.Now()
	p.OnJob(backend.JobEvent{Operation: "CreateBackend", NewStatus: "RUNNING", Created: created, Updated: created})
	p.OnJob(backend.JobEvent{Operation: "CreateBackend", OldStatus: "RUNNING", NewStatus: "COMPLETED", Created: created, Updated: created.Add(1500 * time.Millisecond)})
	p.OnCommit(3*time.Millisecond, 4, nil)
	p.OnCommit(0, 1, errors.New("disk full"))
	if _, err := p.faults.add([]Rule{{LatencyMs: 1, Error: &RuleError{StatusCode: 504, Code: "GatewayTimeoutException"}}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	p.Inject(httpapi.Call{Operation: "GetBackendJob"})

	mfs := scrape(t, p)
	for _, tt := range []struct {
		name   string
		labels []string
		value  func(*dto.Metric) float64
		want   float64
	}{
		{"amplifylite_requests_total", []string{"operation", "GetBackend", "code", "200"}, counter, 2},
		{"amplifylite_requests_total", []string{"operation", "GetBackend", "code", "404"}, counter, 1},
		{"amplifylite_request_duration_seconds", []string{"operation", "GetBackend"}, count, 3},
		{"amplifylite_request_duration_seconds", []string{"operation", "GetBackend"}, sum, 0.005},
		{"amplifylite_jobs_started_total", []string{"operation", "CreateBackend"}, counter, 1},
		{"amplifylite_jobs_finished_total", []string{"operation", "CreateBackend", "outcome", "completed"}, counter, 1},
		{"amplifylite_job_run_seconds", []string{"operation", "CreateBackend"}, sum, 1.5},
		{"amplifylite_jobs_running", nil, gauge, 3},
		{"amplifylite_store_commit_seconds", nil, sum, 0.003},
		{"amplifylite_store_commit_batch_size", nil, sum, 4},
		{"amplifylite_store_commit_errors_total", nil, counter, 1},
		{"amplifylite_faults_injected_total", []string{"operation", "GetBackendJob", "kind", "error"}, counter, 1},
		{"amplifylite_faults_injected_total", []string{"operation", "GetBackendJob", "kind", "latency"}, counter, 1},
		{"amplifylite_fault_rules", nil, gauge, 1},
		{"amplifylite_build_info", []string{"version", "v9.9.9"}, gauge, 1},
	} {
		m := metric(mfs, tt.name, tt.labels...)
		if m == nil {
			t.Errorf("%s%v: missing", tt.name, tt.labels)
			continue
		}
		if got := tt.value(m); got < tt.want-1e-9 || got > tt.want+1e-9 {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
	if mfs["go_goroutines"] == nil || mfs["process_start_time_seconds"] == nil {
		t.Error("the Go and process collectors are missing")
	}
}

func TestAccess(t *testing.T) {
	openPaths := []string{"/_amplifylite/health", "/_amplifylite/info", "/metrics"}
	adminPaths := []string{"/_amplifylite/faults", "/_amplifylite/requests", "/_amplifylite/faults/x", "/_amplifylite/unknown"}
	t.Run("without credentials everything is open", func(t *testing.T) {
		p := New(Config{AdminToken: "ignored"})
		for _, path := range append(openPaths, "/_amplifylite/faults", "/_amplifylite/requests") {
			if code, _, _ := do(t, p, "GET", path, ""); code != 200 {
				t.Errorf("GET %s: %d", path, code)
			}
		}
	})
	t.Run("with credentials and no admin token only health, info and metrics", func(t *testing.T) {
		p := New(Config{Protected: true})
		for _, path := range openPaths {
			if code, _, _ := do(t, p, "GET", path, ""); code != 200 {
				t.Errorf("GET %s: %d", path, code)
			}
		}
		for _, path := range adminPaths {
			code, h, v := do(t, p, "GET", path, "", "Authorization", "Bearer anything")
			wantError(t, code, h, v, 403, "AccessDeniedException")
		}
		code, h, v := do(t, p, "POST", "/_amplifylite/faults", `{"latencyMs":1}`)
		wantError(t, code, h, v, 403, "AccessDeniedException")
		code, h, v = do(t, p, "GET", "/_amplifylite/events", "")
		wantError(t, code, h, v, 403, "AccessDeniedException")
		if len(p.faults.list()) != 0 {
			t.Error("a refused POST added a rule")
		}
	})
	t.Run("with credentials and an admin token its bearer only", func(t *testing.T) {
		p := New(Config{Protected: true, AdminToken: "s3cret"})
		for _, path := range openPaths {
			if code, _, _ := do(t, p, "GET", path, ""); code != 200 {
				t.Errorf("GET %s: %d", path, code)
			}
		}
		for _, path := range adminPaths {
			for _, auth := range []string{"", "Bearer wrong", "Basic czNjcmV0", "Bearer s3cret2", "s3cret"} {
				code, h, v := do(t, p, "GET", path, "", "Authorization", auth)
				wantError(t, code, h, v, 403, "AccessDeniedException")
			}
		}
		if code, _, _ := do(t, p, "GET", "/_amplifylite/faults", "", "Authorization", "Bearer s3cret"); code != 200 {
			t.Errorf("with the token: %d", code)
		}
		if code, _, v := do(t, p, "POST", "/_amplifylite/faults", `{"latencyMs":1}`, "Authorization", "Bearer s3cret"); code != 200 {
			t.Errorf("POST with the token: %d %v", code, v)
		}
	})
}

func TestErrors_JSON(t *testing.T) {
	p := New(Config{})
	code, h, v := do(t, p, "GET", "/_amplifylite/nope", "")
	wantError(t, code, h, v, 404, "NotFoundException")
	code, h, v = do(t, p, "PUT", "/_amplifylite/faults", "")
	wantError(t, code, h, v, 405, "MethodNotAllowedException")
	if got := h.Get("Allow"); got != "DELETE, GET, POST" {
		t.Errorf("Allow: %q", got)
	}
	code, h, _ = do(t, p, "OPTIONS", "/_amplifylite/faults", "", "Access-Control-Request-Headers", "authorization")
	if code != 200 || h.Get("Access-Control-Allow-Methods") != "DELETE, GET, POST, OPTIONS" || h.Get("Access-Control-Allow-Headers") != "authorization" {
		t.Errorf("preflight: %d %v", code, h)
	}
}

func TestHealthAndInfo(t *testing.T) {
	start := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	now := start
	healthy := true
	p := New(Config{Version: "v1.2.3", Store: "sqlite", Now: func() time.Time { return now },
		RunningJobs: func(context.Context) (int, error) { return 2, nil },
		Health: func(context.Context) (any, error) {
			if !healthy {
				return nil, errors.New("database is gone")
			}
			return map[string]string{"status": "ok", "jobs": "ok"}, nil
		}})
	if code, _, v := do(t, p, "GET", "/_amplifylite/health", ""); code != 200 || v["status"] != "ok" || v["jobs"] != "ok" {
		t.Errorf("health: %d %v", code, v)
	}
	healthy = false
	code, h, v := do(t, p, "GET", "/_amplifylite/health", "")
	wantError(t, code, h, v, 503, "ServiceUnavailableException")

	now = start.Add(90 * time.Second)
	p.Observe(httpapi.Exchange{Operation: "GetBackend", Status: 200})
	code, _, v = do(t, p, "GET", "/_amplifylite/info", "")
	counts, _ := v["counts"].(map[string]any)
	if code != 200 || v["version"] != "v1.2.3" || v["store"] != "sqlite" || v["startTime"] != "2026-05-06T07:08:09Z" ||
		v["uptimeSeconds"] != 90.0 || !strings.HasPrefix(v["goVersion"].(string), "go") ||
		counts["runningJobs"] != 2.0 || counts["requests"] != 1.0 || counts["faultRules"] != 0.0 {
		t.Errorf("info: %d %v", code, v)
	}
}

func TestReadBuild(t *testing.T) {
	b := ReadBuild("v0.0.0-ldflags")
	// Test binaries have no module version: the fallback is used.
	if b.Version != "v0.0.0-ldflags" || !strings.HasPrefix(b.GoVersion, "go") {
		t.Errorf("got %+v", b)
	}
	b = Build{Version: "dev", Revision: "0123456789abcdef", RevisionTime: "2026-01-01T00:00:00Z", Modified: true, GoVersion: "go1.26"}
	if got, want := b.String(), "dev (0123456789ab, modified, 2026-01-01T00:00:00Z) go1.26"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestRouting_ExactPathsAsTheMux checks that a request for a path without
// wildcards, which ServeHTTP serves without the ServeMux, gets what the mux
// gives it: same status, headers and body, for every such path and method,
// with and without credentials.
func TestRouting_ExactPathsAsTheMux(t *testing.T) {
	for _, protected := range []bool{false, true} {
		at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		p := New(Config{Protected: protected, AdminToken: "s3cret", Version: "v1", Now: func() time.Time { return at }})
		if len(p.exact) == 0 {
			t.Fatal("no exact paths")
		}
		for path := range p.exact {
			for _, method := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"} {
				for _, auth := range []string{"", "Bearer s3cret"} {
					serve := func(h http.Handler) *httptest.ResponseRecorder {
						r := httptest.NewRequest(method, path, strings.NewReader(`{"bad`))
						r.Header.Set("Authorization", auth)
						r.Header.Set("Access-Control-Request-Headers", "authorization")
						w := httptest.NewRecorder()
						h.ServeHTTP(w, r)
						return w
					}
					fast, mux := serve(p), serve(p.mux())
					fast.Header().Del("Date")
					mux.Header().Del("Date")
					sameBody := fast.Body.String() == mux.Body.String() || path == httpapi.MetricsPath // the Go runtime's figures move
					if fast.Code != mux.Code || !sameBody || !equalHeaders(fast.Header(), mux.Header()) {
						t.Errorf("protected=%v %s %s auth=%q: ServeHTTP %d %v %q, the mux %d %v %q", protected, method, path, auth,
							fast.Code, fast.Header(), fast.Body, mux.Code, mux.Header(), mux.Body)
					}
				}
			}
		}
	}
	// Paths the mux must see: escaped, unclean, with a wildcard.
	p := New(Config{})
	for _, target := range []string{"/_amplifylite/%68ealth", "/_amplifylite//health", "/_amplifylite/faults/x"} {
		r := httptest.NewRequest("GET", target, nil)
		if _, ok := p.exact[r.URL.Path]; ok && r.URL.RawPath == "" {
			t.Errorf("%s would be served without the mux", target)
		}
	}
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\n") != strings.Join(b[k], "\n") {
			return false
		}
	}
	return true
}
