package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/httpapi"
	"github.com/amplifylite/amplifylite/internal/jobs"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// benchAPI is the HTTP handler over a file store in dir, seeded with an app
// whose environment has auth, API and storage resources.
func benchAPI(b *testing.B) http.Handler {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, b.TempDir()+"/amplifylite.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	svc, err := backend.New(ctx, store, backend.Config{})
	if err != nil {
		b.Fatal(err)
	}
	api := httpapi.New(svc, httpapi.Options{})
	runner := jobs.New(svc, nil)
	for _, req := range [][2]string{
		{"/backend", `{"appId":"bench","appName":"bench","backendEnvironmentName":"dev"}`},
		{"/backend/bench/auth", `{"backendEnvironmentName":"dev","resourceName":"auth1","resourceConfig":{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"userPoolName":"p","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"]}}}`},
		{"/backend/bench/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"apiName":"api1"}}`},
		{"/backend/bench/storage", `{"backendEnvironmentName":"dev","resourceName":"files","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["READ"]}}}`},
	} {
		serve(b, api, "POST", req[0], req[1])
		time.Sleep(time.Millisecond)
		if _, err := runner.RunOnce(ctx); err != nil {
			b.Fatal(err)
		}
	}
	return api
}

func serve(b *testing.B, h http.Handler, method, path, body string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	if rec.Code != 200 {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
}

// BenchmarkGetBackend measures the server side of GetBackend (no network).
func BenchmarkGetBackend(b *testing.B) {
	api := benchAPI(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		serve(b, api, "POST", "/backend/bench/details", `{"backendEnvironmentName":"dev"}`)
	}
}

// BenchmarkCreateToken measures one durable write (fsync included).
func BenchmarkCreateToken(b *testing.B) {
	api := benchAPI(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		serve(b, api, "POST", "/backend/bench/challenge", "")
	}
}
