package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/httpapi"
	"github.com/amplifylite/amplifylite/internal/server"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// The wire suite sends raw HTTP requests and checks status, headers and bodies
// byte for byte where the contract (API-BEHAVIOR.md §1–§2) fixes them. It runs
// against an in-process server and against the built binary.

func TestWire_InProcess(t *testing.T) {
	s, err := server.Start(context.Background(), server.Options{
		Listen: "127.0.0.1:0", DataDir: sqlite.Memory, JobDuration: 0, TokenTTL: time.Minute, Region: "us-east-1",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	runWireSuite(t, s.URL)
}

func TestWire_Binary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "amplifylite")
	build := exec.Command("go", "build", "-o", bin, "github.com/amplifylite/amplifylite/cmd/amplifylite")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "serve", "--listen", addr, "--data-dir", filepath.Join(dir, "data"), "--job-duration", "0")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	url := "http://" + addr
	waitHealthy(t, url, exited)

	runWireSuite(t, url)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("after SIGTERM: %v, want exit status 0", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("server did not exit within 20s of SIGTERM")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitHealthy(t *testing.T, url string, exited <-chan error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("server exited before becoming healthy: %v", err)
		default:
		}
		resp, err := http.Get(url + httpapi.HealthPath)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server not healthy after 30s")
}

// wireCase is one raw request and what must come back. For errors, wantType
// is the exception (x-amzn-ErrorType and __type); wantMsg is the exact
// message, or a regexp when it starts with "~".
type wireCase struct {
	name        string
	method      string
	path        string // escaped, sent verbatim
	body        string
	contentType string // "" sends no Content-Type
	header      map[string]string

	wantStatus   int
	wantType     string
	wantMsg      string
	wantResource string            // resourceType of a NotFoundException
	wantBody     map[string]any    // members a success body must have (compared as JSON)
	wantHeader   map[string]string // response headers, exact
}

const (
	json1      = "application/json"
	validation = "1 validation error detected: Value at '%s' failed to satisfy constraint: %s"
)

func violation(path, constraint string) string { return fmt.Sprintf(validation, path, constraint) }

// authBody is a CreateBackendAuth body for env dev whose userPoolConfigs are
// patched by edit (a JSON fragment appended after the required members).
func authBody(userPool string) string {
	return `{"backendEnvironmentName":"dev","resourceName":"auth1","resourceConfig":{"authResources":"USER_POOL_ONLY","service":"COGNITO",` +
		`"userPoolConfigs":{` + userPool + `}}}`
}

func runWireSuite(t *testing.T, url string) {
	c := &wireClient{t: t, url: url}
	// Fixture: app1 with a completed environment dev.
	c.createEnv("app1", "app1-name", "dev")

	enumSignIn := "Member must satisfy enum value set: [EMAIL, EMAIL_AND_PHONE_NUMBER, PHONE_NUMBER, USERNAME]"
	notNull := "Member must not be null"
	tooLong := `{"backendEnvironmentName":"dev","pad":"` + strings.Repeat("x", httpapi.MaxBodyBytes) + `"}`
	exact := `{"backendEnvironmentName":"dev"}`
	exact += strings.Repeat(" ", httpapi.MaxBodyBytes-len(exact))

	cases := []wireCase{
		// Malformed JSON.
		{name: "malformed/truncated", method: "POST", path: "/backend", body: `{"appId":`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: "Could not parse request body into json: unexpected end of input"},
		{name: "malformed/missing colon", method: "POST", path: "/backend", body: `{"appId" "a"}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: "~^Could not parse request body into json: invalid character '\"' after object key at offset \\d+$"},
		{name: "malformed/trailing data", method: "POST", path: "/backend/app1/details", body: `{} {}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: "Could not parse request body into json: unexpected data after the top-level object"},
		{name: "malformed/array body", method: "POST", path: "/backend/app1/details", body: `[]`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: "The request body must be a JSON object"},
		{name: "malformed/null body", method: "POST", path: "/backend/app1/details", body: `null`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: "The request body must be a JSON object"},

		// JSON type mismatches name the member.
		{name: "type/string for integer", method: "POST", path: "/backend/app1/job/dev", body: `{"maxResults":"5"}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: violation("maxResults", "Member must be of type integer, got JSON string")},
		{name: "type/fraction for integer", method: "POST", path: "/backend/app1/job/dev", body: `{"maxResults":1.5}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: violation("maxResults", "Member must be of type integer, got JSON number 1.5")},
		{name: "type/number for string", method: "POST", path: "/backend", body: `{"appId":5,"appName":"n","backendEnvironmentName":"e"}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: violation("appId", "Member must be of type string, got JSON number")},
		{name: "type/string for boolean", method: "POST", path: "/backend/app1/remove", body: `{"cleanAmplifyApp":"true"}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: violation("cleanAmplifyApp", "Member must be of type boolean, got JSON string")},
		{name: "type/object for string", method: "POST", path: "/backend/app1/details", body: `{"backendEnvironmentName":{"a":1}}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: violation("backendEnvironmentName", "Member must be of type string, got JSON object")},
		{name: "type/nested string for double", method: "POST", path: "/backend/app1/auth",
			body:        authBody(`"userPoolName":"p","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"],"passwordPolicy":{"minimumLength":"8"}`),
			contentType: json1, wantStatus: 400, wantType: "BadRequestException",
			wantMsg: violation("resourceConfig.userPoolConfigs.passwordPolicy.minimumLength", "Member must be of type number, got JSON string")},
		{name: "type/nested number for string", method: "POST", path: "/backend/app1/auth",
			body:        authBody(`"userPoolName":7,"signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"]`),
			contentType: json1, wantStatus: 400, wantType: "BadRequestException",
			wantMsg: violation("resourceConfig.userPoolConfigs.userPoolName", "Member must be of type string, got JSON number")},
		{name: "type/nested number in string list", method: "POST", path: "/backend/app1/auth",
			body:        authBody(`"userPoolName":"p","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL",3]`),
			contentType: json1, wantStatus: 400, wantType: "BadRequestException",
			wantMsg: violation("resourceConfig.userPoolConfigs.requiredSignUpAttributes", "Member must be of type string, got JSON number")},

		// Missing required members: every one is reported, in the model's order.
		{name: "required/top-level", method: "POST", path: "/backend", body: `{}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException",
			wantMsg: "3 validation errors detected: Value at 'appId' failed to satisfy constraint: Member must not be null; " +
				"Value at 'appName' failed to satisfy constraint: Member must not be null; " +
				"Value at 'backendEnvironmentName' failed to satisfy constraint: Member must not be null"},
		{name: "required/nested", method: "POST", path: "/backend/app1/auth",
			body:        authBody(`"signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"]`),
			contentType: json1, wantStatus: 400, wantType: "BadRequestException",
			wantMsg: violation("resourceConfig.userPoolConfigs.userPoolName", notNull)},
		{name: "required/explicit null", method: "POST", path: "/backend", body: `{"appId":null,"appName":"n","backendEnvironmentName":"e"}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: violation("appId", notNull)},

		// Enums.
		{name: "enum/top-level", method: "POST", path: "/backend/app1/storage/dev/remove", body: `{"resourceName":"s","serviceName":"GCS"}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: violation("serviceName", "Member must satisfy enum value set: [S3]")},
		{name: "enum/nested", method: "POST", path: "/backend/app1/auth",
			body:        authBody(`"userPoolName":"p","signInMethod":"NOPE","requiredSignUpAttributes":["EMAIL"]`),
			contentType: json1, wantStatus: 400, wantType: "BadRequestException",
			wantMsg: violation("resourceConfig.userPoolConfigs.signInMethod", enumSignIn)},
		{name: "enum/list element", method: "POST", path: "/backend/app1/auth",
			body:        authBody(`"userPoolName":"p","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL","BOGUS"]`),
			contentType: json1, wantStatus: 400, wantType: "BadRequestException",
			wantMsg: "~^1 validation error detected: Value at 'resourceConfig\\.userPoolConfigs\\.requiredSignUpAttributes\\.member\\.2' failed to satisfy constraint: Member must satisfy enum value set: \\[ADDRESS, .*\\]$"},
		{name: "enum/case matters", method: "POST", path: "/backend/app1/auth",
			body:        authBody(`"userPoolName":"p","signInMethod":"email","requiredSignUpAttributes":["EMAIL"]`),
			contentType: json1, wantStatus: 400, wantType: "BadRequestException",
			wantMsg: violation("resourceConfig.userPoolConfigs.signInMethod", enumSignIn)},
		{name: "range/maxResults over 25", method: "POST", path: "/backend/app1/job/dev", body: `{"maxResults":26}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: violation("maxResults", "Member must have value less than or equal to 25")},

		// Path parameters.
		{name: "path/empty appId", method: "POST", path: "/backend//details",
			wantStatus: 400, wantType: "BadRequestException", wantMsg: violation("appId", "Member must have length greater than or equal to 1")},
		{name: "path/empty environment", method: "POST", path: "/backend/app1/auth//details", body: `{"resourceName":"r"}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: violation("backendEnvironmentName", "Member must have length greater than or equal to 1")},
		{name: "path/encoded slash stays in the segment", method: "POST", path: "/backend/a%2Fb/details",
			wantStatus: 404, wantType: "NotFoundException", wantMsg: "~a/b", wantResource: "App"},
		{name: "path/encoded environment", method: "POST", path: "/backend/app1/details", body: `{"backendEnvironmentName":"x/y"}`, contentType: json1,
			wantStatus: 404, wantType: "NotFoundException", wantMsg: "~x/y", wantResource: "BackendEnvironment"},
		{name: "path/encoded job id", method: "GET", path: "/backend/app1/job/dev/no%2Fsuch%20job",
			wantStatus: 404, wantType: "NotFoundException", wantMsg: "~no/such job", wantResource: "Job"},
		{name: "path/prod prefix", method: "POST", path: "/prod/backend/app1/details",
			wantStatus: 200, wantBody: map[string]any{"appId": "app1", "appName": "app1-name", "backendEnvironmentName": "dev"}},
		{name: "path/prod prefix unknown route", method: "POST", path: "/prod/nope",
			wantStatus: 404, wantType: "UnknownOperationException", wantMsg: "No operation matches POST /prod/nope"},

		// Dot segments would be verified as one path (clients sign them resolved) and routed as another.
		{name: "path/dot-dot segment", method: "POST", path: "/backend/app1/api/../remove", body: `{"resourceName":"r"}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: "The request path must not contain a '..' segment"},
		{name: "path/dot segment", method: "POST", path: "/backend/app1/./details",
			wantStatus: 400, wantType: "BadRequestException", wantMsg: "The request path must not contain a '.' segment"},
		{name: "path/encoded dot-dot id", method: "POST", path: "/backend/app1/api/%2E%2E/remove", body: `{"resourceName":"r"}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: violation("backendEnvironmentName", "Member must not be '.' or '..'")},
		{name: "body/dot-dot environment name", method: "POST", path: "/backend", body: `{"appId":"a","appName":"n","backendEnvironmentName":".."}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: violation("backendEnvironmentName", "Member must not be '.' or '..'")},

		// Text that encoding/json would silently replace by U+FFFD.
		{name: "text/invalid UTF-8", method: "POST", path: "/backend", body: "{\"appId\":\"bad\xff\",\"appName\":\"n\",\"backendEnvironmentName\":\"e\"}", contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: "Could not parse request body into json: invalid UTF-8 at offset 13"},
		{name: "text/truncated UTF-8 sequence", method: "POST", path: "/backend/app1/details", body: "{\"backendEnvironmentName\":\"\xe2\x82\"}", contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: "Could not parse request body into json: invalid UTF-8 at offset 27"},
		{name: "text/lone high surrogate", method: "POST", path: "/backend/app1/details", body: `{"backendEnvironmentName":"a\ud800b"}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: "Could not parse request body into json: unpaired UTF-16 surrogate \\uD800 at offset 28"},
		{name: "text/lone low surrogate", method: "POST", path: "/backend/app1/details", body: `{"backendEnvironmentName":"\uDC00"}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: "Could not parse request body into json: unpaired UTF-16 surrogate \\uDC00 at offset 27"},
		{name: "text/surrogate pair", method: "POST", path: "/backend/app1/details", body: `{"backendEnvironmentName":"\ud83d\ude00"}`, contentType: json1,
			wantStatus: 404, wantType: "NotFoundException", wantMsg: "~😀", wantResource: "BackendEnvironment"},
		{name: "text/escaped backslash before u", method: "POST", path: "/backend/app1/details", body: `{"backendEnvironmentName":"\\ud800"}`, contentType: json1,
			wantStatus: 404, wantType: "NotFoundException", wantMsg: "~ud800", wantResource: "BackendEnvironment"},

		// Body size.
		{name: "body/over 1 MiB", method: "POST", path: "/backend/app1/details", body: tooLong, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: "The request body exceeds the limit of 1048576 bytes"},
		{name: "body/exactly 1 MiB", method: "POST", path: "/backend/app1/details", body: exact, contentType: json1,
			wantStatus: 200, wantBody: map[string]any{"appId": "app1", "backendEnvironmentName": "dev"}},

		// Routing.
		{name: "route/unknown", method: "POST", path: "/nope",
			wantStatus: 404, wantType: "UnknownOperationException", wantMsg: "No operation matches POST /nope"},
		{name: "route/wrong method", method: "GET", path: "/backend/app1/details",
			wantStatus: 404, wantType: "UnknownOperationException", wantMsg: "No operation matches GET /backend/app1/details"},
		{name: "route/PUT", method: "PUT", path: "/backend",
			wantStatus: 404, wantType: "UnknownOperationException", wantMsg: "No operation matches PUT /backend"},
		{name: "route/trailing slash", method: "POST", path: "/backend/app1/details/",
			wantStatus: 404, wantType: "UnknownOperationException", wantMsg: "No operation matches POST /backend/app1/details/"},

		// CORS.
		{name: "options/preflight", method: "OPTIONS", path: "/backend/app1/details",
			header:     map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,x-amz-date,content-type"},
			wantStatus: 200, wantHeader: map[string]string{
				"Access-Control-Allow-Origin":  "*",
				"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
				"Access-Control-Allow-Headers": "authorization,x-amz-date,content-type",
			}},
		{name: "options/without request headers", method: "OPTIONS", path: "/backend/app1/job/dev/x",
			wantStatus: 200, wantHeader: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "*"}},

		// Bodies: empty, {} and no Content-Type are the same; unknown keys are ignored.
		{name: "body/empty no content type", method: "POST", path: "/backend/app1/details",
			wantStatus: 200, wantBody: map[string]any{"appId": "app1", "backendEnvironmentName": "dev"}},
		{name: "body/empty json", method: "POST", path: "/backend/app1/details", contentType: json1,
			wantStatus: 200, wantBody: map[string]any{"appId": "app1", "backendEnvironmentName": "dev"}},
		{name: "body/whitespace", method: "POST", path: "/backend/app1/details", body: " \n\t ", contentType: json1,
			wantStatus: 200, wantBody: map[string]any{"appId": "app1", "backendEnvironmentName": "dev"}},
		{name: "body/{} no content type", method: "POST", path: "/backend/app1/details", body: `{}`,
			wantStatus: 200, wantBody: map[string]any{"appId": "app1", "backendEnvironmentName": "dev"}},
		{name: "body/{} form content type", method: "POST", path: "/backend/app1/details", body: `{}`, contentType: "application/x-www-form-urlencoded",
			wantStatus: 200, wantBody: map[string]any{"appId": "app1", "backendEnvironmentName": "dev"}},
		{name: "body/unknown keys", method: "POST", path: "/backend/app1/details", body: `{"backendEnvironmentName":"dev","bogus":{"x":[1,null,"y"]},"AppId":"other"}`, contentType: json1,
			wantStatus: 200, wantBody: map[string]any{"appId": "app1", "backendEnvironmentName": "dev"}},
		{name: "body/keys are case-sensitive", method: "POST", path: "/backend", body: `{"APPID":"x","appId":null,"appName":"n","backendEnvironmentName":"e"}`, contentType: json1,
			wantStatus: 400, wantType: "BadRequestException", wantMsg: violation("appId", notNull)},
		{name: "body/nested keys are case-sensitive", method: "POST", path: "/backend/app1/auth",
			body:        authBody(`"userPoolName":"p","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"],"mfa":{"mfaMode":"ON"}`),
			contentType: json1, wantStatus: 400, wantType: "BadRequestException",
			wantMsg: violation("resourceConfig.userPoolConfigs.mfa.MFAMode", notNull)},
		{name: "body/escaped key is the same key", method: "POST", path: "/backend/app1/details", body: `{"backendEnvironment\u004eame":"nope"}`, contentType: json1,
			wantStatus: 404, wantType: "NotFoundException", wantMsg: "~nope", wantResource: "BackendEnvironment"},
		{name: "body/null optional members", method: "POST", path: "/backend/app1/job/dev", body: `{"maxResults":null,"jobId":null,"nextToken":null}`, contentType: json1,
			wantStatus: 200},
		{name: "notfound/auth", method: "POST", path: "/backend/app1/auth/dev/details", body: `{"resourceName":"none"}`, contentType: json1,
			wantStatus: 404, wantType: "NotFoundException", wantResource: "Auth", wantMsg: "~."},

		// NotFound carries resourceType.
		{name: "notfound/app", method: "POST", path: "/backend/nope/details",
			wantStatus: 404, wantType: "NotFoundException", wantMsg: "~nope", wantResource: "App"},
		{name: "notfound/token", method: "GET", path: "/backend/app1/challenge/00000000-0000-4000-8000-000000000000",
			wantStatus: 404, wantType: "NotFoundException", wantMsg: "~.", wantResource: "Token"},
		{name: "notfound/backend config", method: "POST", path: "/backend/app1/config/remove",
			wantStatus: 404, wantType: "NotFoundException", wantMsg: "~.", wantResource: "BackendConfig"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &wireClient{t: t, url: url}
			c.check(tc)
		})
	}

	t.Run("body/equivalent forms answer alike", func(t *testing.T) {
		c := &wireClient{t: t, url: url}
		var first []byte
		for _, form := range []struct{ body, ct string }{{"", ""}, {"", json1}, {"{}", ""}, {"{}", json1}, {" {} ", "text/plain"}} {
			_, _, body := c.do("POST", "/backend/app1/details", form.body, form.ct, nil)
			if first == nil {
				first = body
			} else if !bytes.Equal(body, first) {
				t.Errorf("body %q, Content-Type %q: got %s, want %s", form.body, form.ct, body, first)
			}
		}
	})

	t.Run("double/accepts 8 and 8.0", func(t *testing.T) {
		c := &wireClient{t: t, url: url}
		for i, n := range []string{"8", "8.0"} {
			env := fmt.Sprintf("dbl%d", i)
			c.createEnv("app1", "app1-name", env)
			body := strings.Replace(authBody(`"userPoolName":"p","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"],"passwordPolicy":{"minimumLength":`+n+`}`),
				`"dev"`, `"`+env+`"`, 1)
			c.check(wireCase{method: "POST", path: "/backend/app1/auth", body: body, contentType: json1,
				wantStatus: 200, wantBody: map[string]any{"appId": "app1", "backendEnvironmentName": env, "operation": "CreateBackendAuth", "status": "RUNNING"}})
		}
	})
}

// wireClient sends raw requests and checks what every response must satisfy.
type wireClient struct {
	t   *testing.T
	url string
}

// createEnv creates app/env through the API and waits for the job to complete.
func (c *wireClient) createEnv(app, name, env string) {
	c.t.Helper()
	_, _, body := c.check(wireCase{method: "POST", path: "/backend", contentType: json1,
		body:       fmt.Sprintf(`{"appId":%q,"appName":%q,"backendEnvironmentName":%q}`, app, name, env),
		wantStatus: 200, wantBody: map[string]any{"appId": app, "backendEnvironmentName": env, "operation": "CreateBackend", "status": "RUNNING"}})
	var job struct{ JobID string }
	json.Unmarshal(body, &job)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		_, _, body := c.check(wireCase{method: "GET", path: "/backend/" + app + "/job/" + env + "/" + job.JobID, wantStatus: 200})
		var got struct{ Status string }
		json.Unmarshal(body, &got)
		if got.Status == "COMPLETED" {
			return
		}
		if got.Status != "RUNNING" {
			c.t.Fatalf("CreateBackend %s/%s: job %s", app, env, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.t.Fatalf("CreateBackend %s/%s: job still RUNNING after 10s", app, env)
}

func (c *wireClient) do(method, path, body, contentType string, header map[string]string) (int, http.Header, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if req.URL.EscapedPath() != path {
		c.t.Fatalf("the client would send %q, not %q", req.URL.EscapedPath(), path)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, b
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// check sends tc's request and checks the response against tc and against
// the rules every response obeys.
func (c *wireClient) check(tc wireCase) (int, http.Header, []byte) {
	t := c.t
	t.Helper()
	status, h, body := c.do(tc.method, tc.path, tc.body, tc.contentType, tc.header)
	short := body
	if len(short) > 300 {
		short = append(short[:300:300], "…"...)
	}
	if status != tc.wantStatus {
		t.Fatalf("%s %s: status %d, want %d; body %s", tc.method, tc.path, status, tc.wantStatus, short)
	}
	if id := h.Values("x-amzn-RequestId"); len(id) != 1 || !uuidRE.MatchString(id[0]) {
		t.Errorf("x-amzn-RequestId = %q, want one UUID", id)
	}
	for k, want := range tc.wantHeader {
		if got := h.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if tc.method == "OPTIONS" {
		return status, h, body
	}
	if ct := h.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, short)
	}
	if path, ok := findNull(obj, ""); ok {
		t.Errorf("body has null at %s: %s", path, short)
	}
	for k, want := range tc.wantBody {
		if got := obj[k]; got != want {
			t.Errorf("body[%q] = %v, want %v", k, got, want)
		}
	}
	errType := h.Get("x-amzn-ErrorType")
	if status < 400 {
		if errType != "" {
			t.Errorf("success with x-amzn-ErrorType %q", errType)
		}
		return status, h, body
	}
	if errType != tc.wantType {
		t.Errorf("x-amzn-ErrorType = %q, want %q", errType, tc.wantType)
	}
	if obj["__type"] != errType {
		t.Errorf("__type = %v, want %q (the header)", obj["__type"], errType)
	}
	if _, ok := obj["code"]; ok {
		t.Errorf("error body has a code key: %s", short)
	}
	msg, _ := obj["message"].(string)
	if re, ok := strings.CutPrefix(tc.wantMsg, "~"); ok {
		if !regexp.MustCompile(re).MatchString(msg) {
			t.Errorf("message = %q, want match for %q", msg, re)
		}
	} else if msg != tc.wantMsg {
		t.Errorf("message:\n got  %q\n want %q", msg, tc.wantMsg)
	}
	if rt, _ := obj["resourceType"].(string); rt != tc.wantResource {
		t.Errorf("resourceType = %q, want %q", rt, tc.wantResource)
	}
	if status >= 500 {
		t.Errorf("status %d: a request must never fault the server", status)
	}
	return status, h, body
}

// findNull reports the path of the first null inside v.
func findNull(v any, path string) (string, bool) {
	switch v := v.(type) {
	case nil:
		return path, true
	case map[string]any:
		for k, x := range v {
			if p, ok := findNull(x, path+"."+k); ok {
				return p, true
			}
		}
	case []any:
		for i, x := range v {
			if p, ok := findNull(x, fmt.Sprintf("%s[%d]", path, i)); ok {
				return p, true
			}
		}
	}
	return "", false
}
