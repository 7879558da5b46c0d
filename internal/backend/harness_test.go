package backend_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/httpapi"
	"github.com/amplifylite/amplifylite/internal/jobs"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is an API server over HTTP with a hand-driven clock and job runner.
type harness struct {
	t      *testing.T
	url    string
	clock  *fakeClock
	runner *jobs.Runner
	// auth is the Authorization header sent with requests ("" = unsigned).
	auth string
	// store is the service's store, for tests that plant records.
	store backend.Store
}

const jobDuration = time.Second

func newHarness(t *testing.T, models ...backend.ModelGenerator) *harness {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	cfg := backend.Config{
		JobDuration: jobDuration, TokenTTL: 10 * time.Minute, Now: clock.Now, Buckets: []string{"preexisting-bucket"},
	}
	if len(models) > 0 {
		cfg.Models = models[0]
	}
	svc, err := backend.New(ctx, store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(svc, httpapi.Options{}))
	t.Cleanup(srv.Close)
	return &harness{t: t, url: srv.URL, clock: clock, runner: jobs.New(svc, nil), store: store}
}

// response is a decoded API answer.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (r response) str(key string) string { s, _ := r.body[key].(string); return s }

// errType is the exception name of an error response ("" on success).
func (r response) errType() string { return r.header.Get("x-amzn-ErrorType") }

func (h *harness) do(method, path, body string) response {
	h.t.Helper()
	r, err := h.try(method, path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if hasNull(r.body) {
		h.t.Errorf("%s %s: response contains null: %s", method, path, r.raw)
	}
	return r
}

// try sends a request and returns what came back; unlike do, it may be
// called from any goroutine.
func (h *harness) try(method, path, body string) (response, error) {
	req, err := http.NewRequest(method, h.url+path, strings.NewReader(body))
	if err != nil {
		return response{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if h.auth != "" {
		req.Header.Set("Authorization", h.auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	r := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		return r, fmt.Errorf("%s %s: body is not a JSON object: %q", method, path, raw)
	}
	return r, nil
}

func (h *harness) post(path, body string) response { h.t.Helper(); return h.do("POST", path, body) }

// ok fails the test unless r is a success.
func (h *harness) ok(r response) response {
	h.t.Helper()
	if r.status != 200 {
		h.t.Fatalf("status %d %s: %s", r.status, r.errType(), r.raw)
	}
	return r
}

// settle lets every running job's time pass and runs the runner once.
func (h *harness) settle() {
	h.t.Helper()
	h.clock.Advance(jobDuration)
	if _, err := h.runner.RunOnce(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

// job starts a job-creating call, checks it is RUNNING and lets it finish.
func (h *harness) job(path, body string) response {
	h.t.Helper()
	r := h.ok(h.post(path, body))
	if r.str("status") != "RUNNING" || r.str("jobId") == "" {
		h.t.Fatalf("%s: want a RUNNING job, got %s", path, r.raw)
	}
	h.settle()
	return r
}

// jobStatus returns the status of a job listed under env.
func (h *harness) jobStatus(app, env, id string) response {
	h.t.Helper()
	return h.ok(h.do("GET", "/backend/"+app+"/job/"+env+"/"+id, ""))
}

// seed creates app "app1" with environment "dev".
func (h *harness) seed() {
	h.t.Helper()
	h.job("/backend", `{"appId":"app1","appName":"My App","backendEnvironmentName":"dev"}`)
}

const authConfig = `{"authResources":"IDENTITY_POOL_AND_USER_POOL","service":"COGNITO",
 "identityPoolConfigs":{"identityPoolName":"idp","unauthenticatedLogin":true},
 "userPoolConfigs":{"userPoolName":"pool","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL","NAME"],
  "mfa":{"MFAMode":"OPTIONAL","settings":{"mfaTypes":["TOTP"],"smsMessage":"code {####}"}},
  "passwordPolicy":{"minimumLength":8.0,"additionalConstraints":["REQUIRE_DIGIT"]},
  "oAuth":{"oAuthGrantType":"CODE","oAuthScopes":["EMAIL","OPENID"],"redirectSignInURIs":["https://a/"],"redirectSignOutURIs":["https://a/out"],
   "socialProviderSettings":{"Facebook":{"client_id":"fb","client_secret":"fbs"},"SignInWithApple":{"client_id":"ap","key_id":"k","private_key":"pk","team_id":"t"}}}}}`

const schema = "type Todo @model {\n  id: ID!\n  name: String!\n}\n"

// hasNull reports whether a decoded JSON value holds a null anywhere.
func hasNull(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		for _, x := range v {
			if hasNull(x) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if hasNull(x) {
				return true
			}
		}
	}
	return false
}
