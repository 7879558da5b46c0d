package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Fixture is what the loads need to know about the seeded server.
type Fixture struct {
	// Workloads are the wrk workloads: one request shape each, cycling
	// through Paths.
	Workloads map[string]Request `json:"workloads"`
	// WriteEnvs are "app/env" pairs reserved for the job-creating write.
	WriteEnvs []string `json:"writeEnvs"`
}

// Request is one request shape.
type Request struct {
	Method string   `json:"method"`
	Body   string   `json:"body"`
	Paths  []string `json:"paths"`
}

const (
	authConfig    = `{"authResources":"IDENTITY_POOL_AND_USER_POOL","service":"COGNITO","identityPoolConfigs":{"identityPoolName":"benchidentitypool","unauthenticatedLogin":true},"userPoolConfigs":{"userPoolName":"benchuserpool","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL","NAME"],"passwordPolicy":{"minimumLength":8,"additionalConstraints":["REQUIRE_DIGIT"]}}}`
	apiConfig     = `{"apiName":"benchapi","service":"AppSync","transformSchema":"type Todo @model {\n  id: ID!\n  name: String!\n  done: Boolean\n}\n","defaultAuthType":{"mode":"API_KEY","settings":{"description":"bench","expirationTime":30}}}`
	storageConfig = `{"serviceName":"S3","permissions":{"authenticated":["READ","CREATE_AND_UPDATE","DELETE"],"unAuthenticated":["READ"]}}`
)

// seeder drives the fixture requests and fails loudly on any unexpected answer.
type seeder struct {
	url    string
	c      *http.Client
	bodies map[string][]byte
	mu     sync.Mutex
}

func (s *seeder) do(op, method, path, body string) ([]byte, error) {
	status, b, err := call(s.c, method, s.url+path, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s %s: %w", op, method, path, err)
	}
	if status != 200 {
		return nil, fmt.Errorf("%s %s %s: HTTP %d: %s", op, method, path, status, b)
	}
	s.mu.Lock()
	if _, ok := s.bodies[op]; !ok {
		s.bodies[op] = b
	}
	s.mu.Unlock()
	return b, nil
}

// job starts a job-creating operation and forces it to COMPLETED.
func (s *seeder) job(op, app, env, path, body string) (string, error) {
	b, err := s.do(op, "POST", path, body)
	if err != nil {
		return "", err
	}
	var j struct{ JobID, Status string }
	if err := json.Unmarshal(b, &j); err != nil || j.JobID == "" {
		return "", fmt.Errorf("%s: no jobId in %s", op, b)
	}
	b, err = s.do("UpdateBackendJob", "POST", fmt.Sprintf("/backend/%s/job/%s/%s", app, env, j.JobID), `{"status":"COMPLETED"}`)
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(b, &j); err != nil || j.Status != "COMPLETED" {
		return "", fmt.Errorf("UpdateBackendJob after %s: want COMPLETED, got %s", op, b)
	}
	return j.JobID, nil
}

func createBackend(app, env string) string {
	return fmt.Sprintf(`{"appId":%q,"appName":%q,"backendEnvironmentName":%q}`, app, app, env)
}

func resourceBody(env, name, config string) string {
	return fmt.Sprintf(`{"backendEnvironmentName":%q,"resourceName":%q,"resourceConfig":%s}`, env, name, config)
}

func fixtureCmd(args []string) error {
	fs := flag.NewFlagSet("fixture", flag.ExitOnError)
	url := fs.String("url", "", "server URL")
	out := fs.String("out", "", "directory for fixture.json and bodies/")
	apps := fs.Int("write-apps", 16, "apps for the job-creating write")
	envs := fs.Int("write-envs", 16, "environments per write app")
	fs.Parse(args)
	s := &seeder{url: *url, c: newClient(16), bodies: map[string][]byte{}}
	if err := waitHealthy(s.c, *url, 10*time.Second); err != nil {
		return err
	}
	if _, err := s.do("Health", "GET", "/_amplifylite/health", ""); err != nil {
		return err
	}

	// The read fixture: app bench, env dev, with auth, API and storage.
	var benchJobs []string
	steps := []struct{ op, path, body string }{
		{"CreateBackend", "/backend", createBackend("bench", "dev")},
		{"CreateBackendAuth", "/backend/bench/auth", resourceBody("dev", "benchauth", authConfig)},
		{"CreateBackendAPI", "/backend/bench/api", resourceBody("dev", "benchapi", apiConfig)},
		{"CreateBackendStorage", "/backend/bench/storage", resourceBody("dev", "benchstorage", storageConfig)},
	}
	for _, st := range steps {
		id, err := s.job(st.op, "bench", "dev", st.path, st.body)
		if err != nil {
			return err
		}
		benchJobs = append(benchJobs, id)
	}
	b, err := s.do("GetBackend", "POST", "/backend/bench/details", `{"backendEnvironmentName":"dev"}`)
	if err != nil {
		return err
	}
	var gb struct{ AmplifyMetaConfig string }
	json.Unmarshal(b, &gb)
	for _, cat := range []string{`"auth"`, `"api"`, `"storage"`} {
		if !strings.Contains(gb.AmplifyMetaConfig, cat) {
			return fmt.Errorf("GetBackend: amplifyMetaConfig lacks the %s section after its job completed: %s", cat, b)
		}
	}

	// The list fixture: app list, env dev, with 30 jobs.
	if _, err := s.job("CreateBackend", "list", "dev", "/backend", createBackend("list", "dev")); err != nil {
		return err
	}
	for i := 1; i < 30; i++ {
		body := resourceBody("dev", fmt.Sprintf("listapi%d", i), `{"apiName":"x"}`)
		if _, err := s.job("CreateBackendAPI", "list", "dev", "/backend/list/api", body); err != nil {
			return err
		}
	}
	b, err = s.do("ListBackendJobs", "POST", "/backend/list/job/dev", `{"maxResults":25}`)
	if err != nil {
		return err
	}
	var lj struct {
		Jobs      []json.RawMessage
		NextToken string
	}
	json.Unmarshal(b, &lj)
	if len(lj.Jobs) != 25 || lj.NextToken == "" {
		return fmt.Errorf("ListBackendJobs: want 25 jobs and a nextToken, got %d jobs, token %q", len(lj.Jobs), lj.NextToken)
	}
	for _, id := range benchJobs {
		if _, err := s.do("GetBackendJob", "GET", "/backend/bench/job/dev/"+id, ""); err != nil {
			return err
		}
	}
	if _, err := s.do("CreateToken", "POST", "/backend/bench/challenge", ""); err != nil {
		return err
	}

	// The write fixture: apps w0..wN, each with envs e0..eM, created in parallel.
	var writeEnvs []string
	for a := 0; a < *apps; a++ {
		for e := 0; e < *envs; e++ {
			writeEnvs = append(writeEnvs, fmt.Sprintf("w%d/e%d", a, e))
		}
	}
	if err := parallel(16, writeEnvs, func(ae string) error {
		app, env, _ := strings.Cut(ae, "/")
		_, err := s.job("CreateBackend", app, env, "/backend", createBackend(app, env))
		return err
	}); err != nil {
		return err
	}

	fx := Fixture{
		Workloads: map[string]Request{
			"GetBackend":      {Method: "POST", Body: `{"backendEnvironmentName":"dev"}`, Paths: []string{"/backend/bench/details"}},
			"GetBackendJob":   {Method: "GET", Paths: prefix("/backend/bench/job/dev/", benchJobs)},
			"ListBackendJobs": {Method: "POST", Body: `{"maxResults":25}`, Paths: []string{"/backend/list/job/dev"}},
			"CreateToken":     {Method: "POST", Paths: []string{"/backend/bench/challenge"}},
		},
		WriteEnvs: writeEnvs,
	}
	if err := os.MkdirAll(filepath.Join(*out, "bodies"), 0o755); err != nil {
		return err
	}
	for op, b := range s.bodies {
		if err := os.WriteFile(filepath.Join(*out, "bodies", op+".json"), b, 0o644); err != nil {
			return err
		}
	}
	fb, _ := json.MarshalIndent(fx, "", "  ")
	return os.WriteFile(filepath.Join(*out, "fixture.json"), fb, 0o644)
}

func prefix(p string, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = p + x
	}
	return out
}

// parallel runs fn over items with n workers and returns the first error.
func parallel(n int, items []string, fn func(string) error) error {
	ch := make(chan string)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range ch {
				if err := fn(it); err != nil {
					errs <- err
					for range ch {
					}
					return
				}
			}
		}()
	}
	for _, it := range items {
		ch <- it
	}
	close(ch)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

func waitHealthy(c *http.Client, url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		status, _, err := call(c, "GET", url+"/_amplifylite/health", "")
		if err == nil && status == 200 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not healthy after %v (status %d, %v)", url, limit, status, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readFixture(path string) (*Fixture, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var fx Fixture
	return &fx, json.Unmarshal(b, &fx)
}
