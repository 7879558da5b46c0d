package backend_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/httpapi"
	"github.com/amplifylite/amplifylite/internal/jobs"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// Tests written for mutants that survived `make mutate` (docs/MUTANTS.md).

// newHarnessWith is newHarness with the given config on the given store (nil:
// a new in-memory one); only the clock is set here.
func newHarnessWith(t *testing.T, store backend.Store, cfg backend.Config) *harness {
	t.Helper()
	ctx := context.Background()
	if store == nil {
		s, err := sqlite.Open(ctx, sqlite.Memory)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		store = s
	}
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	cfg.Now = clock.Now
	svc, err := backend.New(ctx, store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(svc, httpapi.Options{}))
	t.Cleanup(srv.Close)
	return &harness{t: t, url: srv.URL, clock: clock, runner: jobs.New(svc, nil), store: store}
}

// completed runs a job as h.job does and fails the test unless it ended
// COMPLETED.
func (h *harness) completed(app, env, path, body string) response {
	h.t.Helper()
	r := h.job(path, body)
	if st := h.jobStatus(app, env, r.str("jobId")); st.str("status") != "COMPLETED" {
		h.t.Fatalf("%s %s: job ended %s", path, body, st.raw)
	}
	return r
}

// meta is the amplifyMetaConfig GetBackend returns for env of app1.
func (h *harness) meta(env string) map[string]any {
	h.t.Helper()
	got := h.ok(h.post("/backend/app1/details", `{"backendEnvironmentName":`+jsonString(env)+`}`))
	var m map[string]any
	if err := json.Unmarshal([]byte(got.str("amplifyMetaConfig")), &m); err != nil {
		h.t.Fatalf("amplifyMetaConfig: %v", err)
	}
	return m
}

// field follows keys through nested JSON objects and returns the string there.
func field(v any, keys ...string) string {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

func (h *harness) bucketsListed() string {
	h.t.Helper()
	return h.ok(h.post("/s3Buckets", `{}`)).raw
}

func TestCreateBackend_AddsAnEnvironmentToAnExistingApp(t *testing.T) {
	h := newHarness(t)
	h.seed()
	h.completed("app1", "prod", "/backend", `{"appId":"app1","appName":"My App","backendEnvironmentName":"prod"}`)
	got := h.ok(h.post("/backend/app1/details", `{"backendEnvironmentName":"prod"}`))
	if list := fmt.Sprint(got.body["backendEnvironmentList"]); list != "[dev prod]" {
		t.Errorf("environments %s, want [dev prod]", list)
	}
}

func TestCloneBackend_TargetMustNotExist(t *testing.T) {
	h := newHarness(t)
	h.seed()
	h.completed("app1", "prod", "/backend", `{"appId":"app1","appName":"My App","backendEnvironmentName":"prod"}`)
	r := h.post("/backend/app1/environments/dev/clone", `{"targetEnvironmentName":"prod"}`)
	if r.status != 400 || !strings.Contains(r.str("message"), "already exists") {
		t.Errorf("clone onto an existing environment: %d %s", r.status, r.raw)
	}
}

// TestAmplifyMeta_DerivedNames: the names amplify-meta.json derives keep the
// app's and environment's letters and digits (the first 20 and 10), fall
// back to "x", and the derived ids have their documented length and alphabet.
func TestAmplifyMeta_DerivedNames(t *testing.T) {
	h := newHarness(t)
	name := "`a{z/0:9@ Z" + strings.Repeat("x", 30) // every character just outside [a-z0-9] and its bounds
	h.completed("app1", "dev", "/backend", `{"appId":"app1","appName":`+jsonString(name)+`,"backendEnvironmentName":"dev"}`)
	h.completed("app1", "--", "/backend", `{"appId":"app1","appName":"ignored","backendEnvironmentName":"--"}`)
	h.completed("app1", "dev", "/backend/app1/auth", `{"backendEnvironmentName":"dev","resourceName":"authx","resourceConfig":`+authConfig+`}`)
	h.completed("app1", "dev", "/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{}}`)

	m := h.meta("dev")
	cf := []string{"providers", "awscloudformation"}
	if got, want := field(m, append(cf, "StackName")...), `^amplify-az09z`+strings.Repeat("x", 15)+`-dev-\d{5}$`; !regexp.MustCompile(want).MatchString(got) {
		t.Errorf("StackName %q, want %s", got, want)
	}
	if got := field(h.meta("--"), append(cf, "StackName")...); !regexp.MustCompile(`^amplify-az09z\w{15}-x-\d{5}$`).MatchString(got) {
		t.Errorf("StackName of environment --: %q, want x for the environment", got)
	}
	for path, re := range map[string]string{
		"auth/authx/output/UserPoolId":             `^us-east-1_[A-Za-z0-9]{9}$`,
		"auth/authx/output/AppClientIDWeb":         `^[a-z0-9]{26}$`,
		"auth/authx/output/AppClientID":            `^[a-z0-9]{26}$`,
		"api/api1/output/GraphQLAPIIdOutput":       `^[a-z0-9]{26}$`,
		"api/api1/output/GraphQLAPIEndpointOutput": `^https://[a-z0-9]{26}\.appsync-api\.us-east-1\.amazonaws\.com/graphql$`,
		"api/api1/output/GraphQLAPIKeyOutput":      `^da2-[a-z0-9]{26}$`, // no auth mode given: API key
		"providers/awscloudformation/AmplifyAppId": `^app1$`,
		"providers/awscloudformation/AuthRoleName": `^amplify-az09zx{15}-dev-\d{5}-authRole$`,
		"auth/authx/output/IdentityPoolId":         `^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`,
	} {
		if got := field(m, strings.Split(path, "/")...); !regexp.MustCompile(re).MatchString(got) {
			t.Errorf("%s = %q, want %s", path, got, re)
		}
	}
}

// TestAmplifyMeta_IdentityPoolOnlyWhenConfigured: a user-pool-only auth
// resource has no IdentityPoolId in amplify-meta.json.
func TestAmplifyMeta_IdentityPoolOnlyWhenConfigured(t *testing.T) {
	h := newHarness(t)
	h.seed()
	userPoolOnly := strings.Replace(authConfig, "IDENTITY_POOL_AND_USER_POOL", "USER_POOL_ONLY", 1)
	h.completed("app1", "dev", "/backend/app1/auth", `{"backendEnvironmentName":"dev","resourceName":"authx","resourceConfig":`+userPoolOnly+`}`)
	out, _ := h.meta("dev")["auth"].(map[string]any)["authx"].(map[string]any)["output"].(map[string]any)
	if _, ok := out["IdentityPoolId"]; ok || out["UserPoolId"] == nil {
		t.Errorf("user pool only: output %v, want a UserPoolId and no IdentityPoolId", out)
	}
}

// TestAmplifyMeta_ImportedAuthShowsTheImportedIds: amplify-meta.json of an
// imported user pool names the pool and clients that were imported.
func TestAmplifyMeta_ImportedAuthShowsTheImportedIds(t *testing.T) {
	h := newHarness(t)
	h.seed()
	h.completed("app1", "dev", "/backend/app1/auth/dev/import", `{"userPoolId":"us-east-1_abc","webClientId":"w","nativeClientId":"n","identityPoolId":"us-east-1:x"}`)
	auth := h.meta("dev")["auth"].(map[string]any)["us-east-1_abc"]
	for k, want := range map[string]string{"UserPoolId": "us-east-1_abc", "AppClientIDWeb": "w", "AppClientID": "n", "IdentityPoolId": "us-east-1:x"} {
		if got := field(auth, "output", k); got != want {
			t.Errorf("output.%s = %q, want %q", k, got, want)
		}
	}
	if got := field(auth, "serviceType"); got != "imported" {
		t.Errorf("serviceType %q, want imported", got)
	}
}

// TestStorage_GeneratedBucketNames: a generated bucket name is the resource's
// letters and digits (at most 30, else "storage"), 8 hex digits, "-" and the
// environment's (at most 20, else "env").
func TestStorage_GeneratedBucketNames(t *testing.T) {
	h := newHarness(t)
	h.seed()
	h.completed("app1", "--", "/backend", `{"appId":"app1","appName":"My App","backendEnvironmentName":"--"}`)
	resource := "`a{z/0:9@Z" + strings.Repeat("x", 40)
	for _, tt := range []struct{ env, resource, want string }{
		{"dev", resource, `^az09z` + strings.Repeat("x", 25) + `[0-9a-f]{8}-dev$`},
		{"--", "__", `^storage[0-9a-f]{8}-env$`},
	} {
		h.completed("app1", tt.env, "/backend/app1/storage", `{"backendEnvironmentName":`+jsonString(tt.env)+`,"resourceName":`+jsonString(tt.resource)+
			`,"resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["READ"]}}}`)
		st := h.ok(h.post("/backend/app1/storage/"+tt.env+"/details", `{"resourceName":`+jsonString(tt.resource)+`}`))
		if got := field(st.body, "resourceConfig", "bucketName"); !regexp.MustCompile(tt.want).MatchString(got) {
			t.Errorf("bucket of %q in %s: %q, want %s", tt.resource, tt.env, got, tt.want)
		}
	}
}

func TestStorage_BucketNameTaken(t *testing.T) {
	h := newHarness(t)
	h.seed()
	r := h.post("/backend/app1/storage", `{"backendEnvironmentName":"dev","resourceName":"files","resourceConfig":{"serviceName":"S3","bucketName":"preexisting-bucket","permissions":{"authenticated":["READ"]}}}`)
	if r.status != 400 || !strings.Contains(r.str("message"), "already exists") {
		t.Errorf("storage on a listed bucket: %d %s", r.status, r.raw)
	}
}

// TestStorage_BucketOutlivesOtherResources: removing auth or an API leaves
// the environment's storage bucket listed; removing the storage removes it.
func TestStorage_BucketOutlivesOtherResources(t *testing.T) {
	h := newHarness(t)
	h.seed()
	h.completed("app1", "dev", "/backend/app1/storage", `{"backendEnvironmentName":"dev","resourceName":"files","resourceConfig":{"serviceName":"S3","bucketName":"my-files","permissions":{"authenticated":["READ"]}}}`)
	h.completed("app1", "dev", "/backend/app1/auth", `{"backendEnvironmentName":"dev","resourceName":"authx","resourceConfig":`+authConfig+`}`)
	h.completed("app1", "dev", "/backend/app1/auth/dev/remove", `{"resourceName":"authx"}`)
	if !strings.Contains(h.bucketsListed(), `"my-files"`) {
		t.Fatal("removing auth removed the storage's bucket")
	}
	h.completed("app1", "dev", "/backend/app1/storage/dev/remove", `{"resourceName":"files","serviceName":"S3"}`)
	if strings.Contains(h.bucketsListed(), `"my-files"`) {
		t.Error("removing the storage kept its bucket")
	}
}

// TestImportBackendStorage_ListsTheBucket: an imported bucket is listed by
// ListS3Buckets (once, even when it was listed already).
func TestImportBackendStorage_ListsTheBucket(t *testing.T) {
	h := newHarness(t)
	h.seed()
	h.completed("app1", "dev", "/backend/app1/storage/dev/import", `{"bucketName":"my-existing-bucket","serviceName":"S3"}`)
	if got := h.bucketsListed(); !strings.Contains(got, `"my-existing-bucket"`) || !strings.Contains(got, `"preexisting-bucket"`) {
		t.Errorf("after the import: %s", got)
	}
	h.completed("app1", "prod", "/backend", `{"appId":"app1","appName":"My App","backendEnvironmentName":"prod"}`)
	h.completed("app1", "prod", "/backend/app1/storage/prod/import", `{"bucketName":"preexisting-bucket","serviceName":"S3"}`)
	if got := h.bucketsListed(); strings.Count(got, `"preexisting-bucket"`) != 1 {
		t.Errorf("a configured bucket imported: %s", got)
	}
}

func TestNew_RecordsEveryConfiguredBucket(t *testing.T) {
	h := newHarnessWith(t, nil, backend.Config{JobDuration: jobDuration, Buckets: []string{"bucket-one", "bucket-two"}})
	if got := h.bucketsListed(); !strings.Contains(got, `"bucket-one"`) || !strings.Contains(got, `"bucket-two"`) {
		t.Errorf("ListS3Buckets: %s", got)
	}
}

func TestNew_TokenTTL(t *testing.T) {
	for _, tt := range []struct{ ttl, want time.Duration }{{0, 600 * time.Second}, {-time.Second, 600 * time.Second}, {5 * time.Minute, 5 * time.Minute}} {
		h := newHarnessWith(t, nil, backend.Config{JobDuration: jobDuration, TokenTTL: tt.ttl})
		h.seed()
		tok := h.ok(h.post("/backend/app1/challenge", ""))
		if got, want := tok.str("ttl"), fmt.Sprint(h.clock.Now().Add(tt.want).Unix()); got != want {
			t.Errorf("TokenTTL %v: ttl %s, want %s (%v)", tt.ttl, got, want, tt.want)
		}
	}
}

// TestListBackendJobs_NoTokenAfterAFullLastPage: a page that holds the last
// job has no nextToken, even when it is full.
func TestListBackendJobs_NoTokenAfterAFullLastPage(t *testing.T) {
	h := newHarness(t)
	h.seed()
	r := h.ok(h.post("/backend/app1/job/dev", `{"maxResults":1}`))
	if n := len(r.body["jobs"].([]any)); n != 1 || r.body["nextToken"] != nil {
		t.Errorf("one job, maxResults 1: %d jobs, nextToken %v", n, r.body["nextToken"])
	}
}

// TestGetBackendAuth_EmptyAdditionalConstraints: a password policy without
// additionalConstraints is shown with an empty list (the Admin UI needs it).
func TestGetBackendAuth_EmptyAdditionalConstraints(t *testing.T) {
	h := newHarness(t)
	h.seed()
	cfg := strings.Replace(authConfig, `,"additionalConstraints":["REQUIRE_DIGIT"]`, "", 1)
	h.completed("app1", "dev", "/backend/app1/auth", `{"backendEnvironmentName":"dev","resourceName":"authx","resourceConfig":`+cfg+`}`)
	got := h.ok(h.post("/backend/app1/auth/dev/details", `{"resourceName":"authx"}`))
	if !strings.Contains(got.raw, `"passwordPolicy":{"additionalConstraints":[],"minimumLength":8}`) {
		t.Errorf("GetBackendAuth: %s", got.raw)
	}
}

// TestBackendConfig_CreateKeepsWhatUpdateStored: UpdateBackendConfig creates
// a missing config; CreateBackendConfig provisions a login config, keeps one
// stored before and sets the manager app; an update keeps the manager.
func TestBackendConfig_CreateKeepsWhatUpdateStored(t *testing.T) {
	h := newHarness(t)
	h.seed()
	get := func() response { h.t.Helper(); return h.ok(h.post("/backend/app1/config/update", `{}`)) }
	if r := get(); r.str("backendManagerAppId") != "app1" || r.body["loginAuthConfig"] != nil {
		t.Errorf("UpdateBackendConfig creating the config: %s", r.raw)
	}
	h.completed("app1", "dev", "/backend/app1/config", `{}`)
	provisioned := get()
	if !regexp.MustCompile(`"aws_user_pools_id":"us-east-1_[A-Za-z0-9]{9}"`).MatchString(provisioned.raw) {
		t.Errorf("CreateBackendConfig did not provision a login config: %s", provisioned.raw)
	}
	login := `{"aws_cognito_region":"us-east-1","aws_user_pools_id":"us-east-1_mine"}`
	h.ok(h.post("/backend/app1/config/update", `{"loginAuthConfig":`+login+`}`))
	h.completed("app1", "dev", "/backend/app1/config", `{"backendManagerAppId":"manager"}`)
	if r := get(); r.str("backendManagerAppId") != "manager" || !strings.Contains(r.raw, `"us-east-1_mine"`) {
		t.Errorf("after re-creating: %s, want manager and the stored login config", r.raw)
	}
}

// TestCreateBackendConfig_AppWithoutEnvironments is listed under "default".
func TestCreateBackendConfig_AppWithoutEnvironments(t *testing.T) {
	h := newHarness(t)
	h.seed()
	h.completed("app1", "dev", "/backend/app1/environments/dev/remove", "")
	r := h.ok(h.post("/backend/app1/config", `{}`))
	if r.str("backendEnvironmentName") != "default" {
		t.Errorf("CreateBackendConfig: %s", r.raw)
	}
	h.settle()
	if st := h.jobStatus("app1", "default", r.str("jobId")); st.str("status") != "COMPLETED" {
		t.Errorf("job: %s", st.raw)
	}
}

// TestGetBackend_SharedStoreIsNotCached: with Config.Shared, GetBackend shows
// what another server wrote to the store at once.
func TestGetBackend_SharedStoreIsNotCached(t *testing.T) {
	shared := newHarnessWith(t, nil, backend.Config{JobDuration: jobDuration, Shared: true})
	shared.seed()
	shared.ok(shared.post("/backend/app1/details", `{}`))
	other := newHarnessWith(t, shared.store, backend.Config{JobDuration: jobDuration, Shared: true})
	other.completed("app1", "prod", "/backend", `{"appId":"app1","appName":"My App","backendEnvironmentName":"prod"}`)
	for range 2 {
		got := shared.ok(shared.post("/backend/app1/details", `{}`))
		if list := fmt.Sprint(got.body["backendEnvironmentList"]); list != "[dev prod]" {
			t.Errorf("environments %s, want [dev prod]", list)
		}
	}
}

// TestGetBackend_FirstReadAfterARestart: a new Service on a store that has
// data answers GetBackend before any write (the cache starts empty).
func TestGetBackend_FirstReadAfterARestart(t *testing.T) {
	first := newHarnessWith(t, nil, backend.Config{JobDuration: jobDuration})
	first.seed()
	restarted := newHarnessWith(t, first.store, backend.Config{JobDuration: jobDuration})
	for range 2 {
		if got := restarted.ok(restarted.post("/backend/app1/details", `{}`)); got.str("backendEnvironmentName") != "dev" {
			t.Errorf("GetBackend: %s", got.raw)
		}
	}
}

// TestGenerateModels_GivesUpOnASchemaThatKeepsChanging: when the API's schema
// changes during every generation, the job fails after a few attempts
// instead of retrying forever.
func TestGenerateModels_GivesUpOnASchemaThatKeepsChanging(t *testing.T) {
	var h *harness
	churn, calls := false, 0
	h = newHarness(t, func(schema string) (string, string, error) {
		if churn {
			calls++
			next := fmt.Sprintf("type T%d @model { id: ID! }", calls)
			err := h.store.Update(context.Background(), func(tx backend.Tx) error {
				r, err := tx.Resource(defaultPartition, "app1", "dev", backend.KindAPI, "api1")
				if err != nil || r == nil {
					return fmt.Errorf("resource %v: %w", r, err)
				}
				r.Config = json.RawMessage(`{"transformSchema":` + jsonString(next) + `}`)
				return tx.PutResource(defaultPartition, r)
			})
			if err != nil {
				t.Error(err)
			}
		}
		return "models", "{}", nil
	})
	h.seed()
	h.completed("app1", "dev", "/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"transformSchema":`+jsonString(schema)+`}}`)
	churn = true
	gen := h.job("/backend/app1/api/dev/generateModels", `{"resourceName":"api1"}`)
	if st := h.jobStatus("app1", "dev", gen.str("jobId")); st.str("status") != "FAILED" || !strings.Contains(st.str("error"), "kept changing") {
		t.Errorf("generation job: %s", st.raw)
	}
	if calls > 5 {
		t.Errorf("the generator ran %d times", calls)
	}
}
