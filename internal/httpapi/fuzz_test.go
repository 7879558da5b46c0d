package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// FuzzSplitPath checks the path splitter and the template matcher: no
// panics; escaped segments come back unescaped; a path built from any route's
// template with arbitrary parameter values matches that route, and only it
// among the routes of the same method, with the values intact.
func FuzzSplitPath(f *testing.F) {
	f.Add("/backend/app1/details", "app1", "dev", "job-1", uint8(3), uint8(13))
	f.Add("/backend//details", "", "", "", uint8(0), uint8(0))
	f.Add("/backend/a%2Fb/details", "a/b", "x%y", "", uint8(2), uint8(17))
	f.Add("/prod/backend/app1/job/dev/abc", "prod", "backend", "{appId}", uint8(3), uint8(29))
	f.Add("/prod", "prod", "", "", uint8(1), uint8(23))
	f.Add("/%zz/%", "..", ".", " ", uint8(3), uint8(19))
	f.Add("/s3Buckets", "ä/ö?#", "%2F", "a b", uint8(3), uint8(9))
	rows := table(nil)
	f.Fuzz(func(t *testing.T, raw, a, b, c string, n, pick uint8) {
		// Any path: no panic, and matching never yields a parameter the template lacks.
		if segs, ok := splitPath(raw); ok {
			for _, r := range rows {
				if vals, ok := r.tmpl.match(segs); ok {
					for _, name := range vals.names[:vals.n] {
						if !slices.Contains(r.tmpl.params, name) {
							t.Fatalf("%s matched %q with unknown parameter %q", r.op.Path, raw, name)
						}
					}
				}
			}
		}

		// Round trip: segments escaped with url.PathEscape come back as they were.
		segs := []string{a, b, c}[:n%4]
		escaped := make([]string, len(segs))
		for i, s := range segs {
			escaped[i] = url.PathEscape(s)
		}
		path := "/" + strings.Join(escaped, "/")
		want := segs
		if len(want) > 0 && want[0] == "prod" { // the API Gateway stage is dropped
			want = want[1:]
		}
		if len(want) == 0 {
			want = []string{""}
		}
		got, ok := splitPath(path)
		if !ok || !slices.Equal(got, want) {
			t.Fatalf("splitPath(%q) = %q, %v; want %q", path, got, ok, want)
		}

		// Template instantiation: fill the picked route's parameters.
		r := rows[int(pick)%len(rows)]
		vals := []string{a, b, c}
		wantParams := map[string]string{}
		parts := make([]string, len(r.tmpl.segs))
		k := 0
		for i, lit := range r.tmpl.segs {
			if name := r.tmpl.params[i]; name != "" {
				wantParams[name] = vals[k%3]
				parts[i] = url.PathEscape(vals[k%3])
				k++
			} else {
				parts[i] = lit
			}
		}
		path = "/" + strings.Join(parts, "/")
		got, ok = splitPath(path)
		if !ok {
			t.Fatalf("splitPath(%q) failed", path)
		}
		var matched []string
		for _, other := range rows {
			if other.op.Method != r.op.Method {
				continue
			}
			params, ok := other.tmpl.match(got)
			if !ok {
				continue
			}
			matched = append(matched, other.op.Name)
			if other.op.Name == r.op.Name {
				for name, v := range wantParams {
					if got, _ := params.get(name); got != v {
						t.Errorf("%s: %s = %q, want %q (path %q)", r.op.Name, name, got, v, path)
					}
				}
			}
		}
		if len(matched) != 1 || matched[0] != r.op.Name {
			t.Fatalf("%s %q matches %v, want only %s", r.op.Method, path, matched, r.op.Name)
		}
	})
}

type input interface{ Validate() error }

// newInput returns one of the inputs FuzzDecodeAndValidate decodes into: the
// deep ones (auth, API, storage) and a few with numbers, booleans and maps.
func newInput(i uint8) input {
	switch i % 10 {
	case 0:
		return new(ab.CreateBackendAuthRequest)
	case 1:
		return new(ab.UpdateBackendAuthRequest)
	case 2:
		return new(ab.CreateBackendAPIRequest)
	case 3:
		return new(ab.UpdateBackendAPIRequest)
	case 4:
		return new(ab.CreateBackendStorageRequest)
	case 5:
		return new(ab.ListBackendJobsRequest)
	case 6:
		return new(ab.UpdateBackendConfigRequest)
	case 7:
		return new(ab.RemoveAllBackendsRequest)
	case 9:
		return new(ab.GetBackendRequest)
	default:
		return new(ab.CreateBackendRequest)
	}
}

// decodeSeeds are request bodies the decoder fuzzers start from.
var decodeSeeds = []string{
	``, `{}`, ` {} `, `null`, `[]`, `{"a":1} x`, `{"appId":`, `{"maxResults":"5"}`, `{"maxResults":1.5}`, `{"maxResults":1e400}`,
	`{"backendEnvironmentName":"dev","resourceName":"auth1","resourceConfig":{"authResources":"IDENTITY_POOL_AND_USER_POOL","service":"COGNITO",` +
		`"identityPoolConfigs":{"identityPoolName":"ip","unauthenticatedLogin":true},` +
		`"userPoolConfigs":{"userPoolName":"p","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL","NAME"],` +
		`"mfa":{"MFAMode":"OPTIONAL","settings":{"mfaTypes":["SMS","TOTP"],"smsMessage":"code {####}"}},` +
		`"passwordPolicy":{"minimumLength":8.0,"additionalConstraints":["REQUIRE_DIGIT"]},` +
		`"oAuth":{"domainPrefix":"d","oAuthGrantType":"CODE","oAuthScopes":["EMAIL","OPENID"],"redirectSignInURIs":["https://x/"],"redirectSignOutURIs":["https://x/"],` +
		`"socialProviderSettings":{"Facebook":{"client_id":"c","client_secret":"s"},"SignInWithApple":{"client_id":"c","key_id":"k","private_key":"p","team_id":"t"}}},` +
		`"verificationMessage":{"deliveryMethod":"EMAIL","emailSettings":{"emailMessage":"m","emailSubject":"s"}}}}}`,
	`{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"apiName":"api1","service":"AppSync","transformSchema":"type Todo @model { id: ID! name: String }",` +
		`"defaultAuthType":{"mode":"API_KEY","settings":{"expirationTime":7,"description":"k"}},"additionalAuthTypes":[{"mode":"AMAZON_COGNITO_USER_POOLS"},{"mode":"NOPE"}],` +
		`"conflictResolution":{"resolutionStrategy":"AUTOMERGE"}}}`,
	`{"backendEnvironmentName":"dev","resourceName":"s3","resourceConfig":{"bucketName":"b","serviceName":"S3","permissions":{"authenticated":["READ","CREATE_AND_UPDATE"],"unAuthenticated":["READ"]}}}`,
	`{"maxResults":25,"jobId":"j","operation":"CreateBackend","status":"RUNNING","nextToken":"t"}`,
	`{"loginAuthConfig":{"aws_cognito_identity_pool_id":"i","aws_cognito_region":"us-east-1","aws_user_pools_id":"u","aws_user_pools_web_client_id":"w"}}`,
	`{"cleanAmplifyApp":true}`, `{"cleanAmplifyApp":"yes"}`,
	`{"appId":"a","appName":"n","backendEnvironmentName":"e","resourceConfig":{"x":[1,{"y":null}]},"resourceName":"r"}`,
	`{"resourceConfig":{"userPoolConfigs":{"requiredSignUpAttributes":["EMAIL",3]}}}`,
	`{"resourceConfig":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
	"{\"appId\":\"\xff\xfe\"}",
}

// FuzzDecodeAndValidate checks the body decoder and the validators: no
// panics; a decode error is always a 400 BadRequestException, a validation
// error always a *ValidationError naming members; a decoded value encodes
// without null and decodes back to the same encoding.
func FuzzDecodeAndValidate(f *testing.F) {
	for _, s := range decodeSeeds {
		for i := range uint8(9) {
			f.Add(i, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		in := newInput(kind)
		err := decodeBody(body, in)
		if err != nil {
			var we *wireError
			if !errors.As(err, &we) || we.Status != http.StatusBadRequest || we.Type != "BadRequestException" || we.Message == "" {
				t.Fatalf("decode %q: %#v, want a 400 BadRequestException *wireError", body, err)
			}
			return
		}
		if err := in.Validate(); err != nil {
			var ve *ab.ValidationError
			if !errors.As(err, &ve) || len(ve.Violations) == 0 {
				t.Fatalf("validate %q: %#v, want a *ValidationError", body, err)
			}
			for _, v := range ve.Violations {
				if v.Path == "" || v.Constraint == "" {
					t.Fatalf("validate %q: violation %+v lacks a path or constraint", body, v)
				}
			}
		}
		enc, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("encode %#v: %v", in, err)
		}
		var generic any
		if err := json.Unmarshal(enc, &generic); err != nil {
			t.Fatalf("encoding %s: %v", enc, err)
		}
		if path, ok := nullIn(generic); ok {
			t.Fatalf("encoding of %q has null at %s: %s", body, path, enc)
		}
		again := newInput(kind)
		if err := decodeBody(enc, again); err != nil {
			t.Fatalf("decode of own encoding %s: %v", enc, err)
		}
		enc2, _ := json.Marshal(again)
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not stable:\n %s\n %s", enc, enc2)
		}
	})
}

var methodRE = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// FuzzServeHTTP drives the whole HTTP edge over a real domain and store:
// any method, path, Content-Type, Authorization and body. No request may fault the server (5xx),
// every response has a request id, and every error body is a JSON object
// whose __type is the x-amzn-ErrorType header.
func FuzzServeHTTP(f *testing.F) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	svc, err := backend.New(ctx, store, backend.Config{JobDuration: 0, TokenTTL: time.Minute})
	if err != nil {
		f.Fatal(err)
	}
	h := New(svc, Options{})
	p := backend.Partition{Account: "000000000000", Region: "us-east-1"}
	if _, err := svc.CreateBackend(ctx, p, &ab.CreateBackendRequest{AppId: ab.String("app1"), AppName: ab.String("n"), BackendEnvironmentName: ab.String("dev")}); err != nil {
		f.Fatal(err)
	}
	if _, err := svc.FinishDueJobs(ctx); err != nil {
		f.Fatal(err)
	}

	auth := `{"backendEnvironmentName":"dev","resourceName":"auth1","resourceConfig":{"authResources":"USER_POOL_ONLY","service":"COGNITO",` +
		`"userPoolConfigs":{"userPoolName":"p","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"],"passwordPolicy":{"minimumLength":8}}}}`
	api := `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"apiName":"api1","service":"AppSync",` +
		`"transformSchema":"type Todo @model { id: ID! name: String }","defaultAuthType":{"mode":"API_KEY"}}}`
	for _, s := range []struct{ method, path, ct, body string }{
		{"POST", "/backend", "application/json", `{"appId":"app2","appName":"n","backendEnvironmentName":"dev"}`},
		{"POST", "/backend/app1/details", "", ``},
		{"POST", "/prod/backend/app1/details", "application/json", `{"backendEnvironmentName":"dev"}`},
		{"POST", "/backend/app1/auth", "application/json", auth},
		{"POST", "/backend/app1/auth/dev", "application/json", `{"resourceName":"auth1","resourceConfig":{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"signInMethod":"USERNAME"}}}`},
		{"POST", "/backend/app1/auth/dev/details", "application/json", `{"resourceName":"auth1"}`},
		{"POST", "/backend/app1/auth/dev/import", "application/json", `{"userPoolId":"us-east-1_abc","nativeClientId":"n","webClientId":"w","identityPoolId":"us-east-1:x"}`},
		{"POST", "/backend/app1/api", "application/json", api},
		{"POST", "/backend/app1/api/dev/generateModels", "application/json", `{"resourceName":"api1"}`},
		{"POST", "/backend/app1/api/dev/getModels", "application/json", `{"resourceName":"api1"}`},
		{"POST", "/backend/app1/storage", "application/json", `{"backendEnvironmentName":"dev","resourceName":"s3","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["READ"]}}}`},
		{"POST", "/backend/app1/storage/dev/import", "application/json", `{"bucketName":"my-bucket","serviceName":"S3"}`},
		{"POST", "/backend/app1/environments/dev/clone", "application/json", `{"targetEnvironmentName":"prod"}`},
		{"POST", "/backend/app1/job/dev", "application/json", `{"maxResults":1}`},
		{"POST", "/backend/app1/job/dev", "application/json", `{"nextToken":"AAAA"}`},
		{"GET", "/backend/app1/job/dev/00000000-0000-4000-8000-000000000000", "", ``},
		{"POST", "/backend/app1/job/dev/00000000-0000-4000-8000-000000000000", "application/json", `{"status":"FAILED"}`},
		{"POST", "/backend/app1/challenge", "", ``},
		{"GET", "/backend/app1/challenge/00000000-0000-4000-8000-000000000000", "", ``},
		{"POST", "/backend/app1/config", "application/json", `{"backendManagerAppId":"app1"}`},
		{"POST", "/backend/app1/config/update", "application/json", `{"loginAuthConfig":{"aws_cognito_region":"us-east-1"}}`},
		{"POST", "/backend/app1/remove", "application/json", `{"cleanAmplifyApp":true}`},
		{"POST", "/s3Buckets", "application/json", `{}`},
		{"POST", "/backend/a%2Fb/details", "", ``},
		{"POST", "/backend//details", "", ``},
		{"OPTIONS", "/backend/app1/details", "", ``},
		{"GET", "/_amplifylite/health", "", ``},
		{"DELETE", "/nope?x=1", "text/plain", `{"appId":`},
	} {
		f.Add(s.method, s.path, s.ct, "", []byte(s.body))
	}
	sig := "AWS4-HMAC-SHA256 Credential=%s/20260101/%s/amplifybackend/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
	f.Add("POST", "/backend/app1/details", "", fmt.Sprintf(sig, "123456789012", "eu-west-1"), []byte(`{}`))
	f.Add("POST", "/backend", "application/json", fmt.Sprintf(sig, "AKIAIOSFODNN7EXAMPLE", "ap-south-2"), []byte(`{"appId":"a","appName":"n","backendEnvironmentName":"e"}`))
	f.Add("POST", "/s3Buckets?X-Amz-Credential=123456789012%2F20260101%2FEU%2Famplifybackend%2Faws4_request", "", "", []byte(``))
	f.Fuzz(func(t *testing.T, method, target, contentType, authorization string, body []byte) {
		if !methodRE.MatchString(method) || !strings.HasPrefix(target, "/") {
			return // the HTTP server rejects these before any handler runs
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		req := &http.Request{Method: method, URL: u, RequestURI: target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{}, Host: "localhost", Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
		req = req.WithContext(ctx)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		if _, err := svc.FinishDueJobs(ctx); err != nil { // apply the effects of any job the request created
			t.Fatalf("%s %s %q: finish jobs: %v", method, target, body, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("%s %s %q: took %v", method, target, body, d)
		}

		res := rec.Result()
		out := rec.Body.Bytes()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s %q: status %d: %s", method, target, body, res.StatusCode, out)
		}
		// The server writes these headers with AWS's exact casing, outside Go's canonical form.
		if len(res.Header["x-amzn-RequestId"]) != 1 {
			t.Fatalf("%s %s: no x-amzn-RequestId", method, target)
		}
		if method == http.MethodOptions {
			return
		}
		var obj map[string]any
		if err := json.Unmarshal(out, &obj); err != nil || obj == nil {
			t.Fatalf("%s %s %q: status %d, body not a JSON object: %s", method, target, body, res.StatusCode, out)
		}
		if bytes.Contains(out, []byte("null")) {
			if _, ok := nullIn(obj); ok {
				t.Fatalf("%s %s %q: null in response %s", method, target, body, out)
			}
		}
		if res.StatusCode >= 400 {
			typ := strings.Join(res.Header["x-amzn-ErrorType"], ",")
			if typ == "" || obj["__type"] != typ {
				t.Fatalf("%s %s: x-amzn-ErrorType %q, __type %v", method, target, typ, obj["__type"])
			}
			if msg, _ := obj["message"].(string); msg == "" {
				t.Fatalf("%s %s: error without message: %s", method, target, out)
			}
			if _, ok := obj["code"]; ok {
				t.Fatalf("%s %s: error body has code: %s", method, target, out)
			}
		}
	})
}

func nullIn(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case map[string]any:
		for k, x := range v {
			if p, ok := nullIn(x); ok {
				return k + "." + p, true
			}
		}
	case []any:
		for _, x := range v {
			if p, ok := nullIn(x); ok {
				return "[]." + p, true
			}
		}
	}
	return "", false
}
