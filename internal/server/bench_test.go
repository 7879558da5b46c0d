package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/httpapi"
	"github.com/amplifylite/amplifylite/internal/jobs"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// benchAPI is the HTTP handler over a file store in dir, seeded with an app
// whose environment has auth, API and storage resources.
func benchAPI(b *testing.B) (http.Handler, *jobs.Runner) { return benchAPIWith(b, backend.Config{}) }

// benchAPIWith is benchAPI with the domain configured by cfg.
func benchAPIWith(b *testing.B, cfg backend.Config) (http.Handler, *jobs.Runner) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, b.TempDir()+"/amplifylite.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	svc, err := backend.New(ctx, store, cfg)
	if err != nil {
		b.Fatal(err)
	}
	api := httpapi.New(svc, httpapi.Options{})
	runner := jobs.New(svc, nil)
	for _, req := range benchSeed {
		serve(b, api, "POST", req[0], req[1])
		time.Sleep(time.Millisecond)
		if _, err := runner.RunOnce(ctx); err != nil {
			b.Fatal(err)
		}
	}
	return api, runner
}

// benchSeed creates the benchmarks' app and its auth, API and storage
// resources: POST path, body.
var benchSeed = [][2]string{
	{"/backend", `{"appId":"bench","appName":"bench","backendEnvironmentName":"dev"}`},
	{"/backend/bench/auth", `{"backendEnvironmentName":"dev","resourceName":"auth1","resourceConfig":{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"userPoolName":"p","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"]}}}`},
	{"/backend/bench/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"apiName":"api1"}}`},
	{"/backend/bench/storage", `{"backendEnvironmentName":"dev","resourceName":"files","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["READ"]}}}`},
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
	api, _ := benchAPI(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		serve(b, api, "POST", "/backend/bench/details", `{"backendEnvironmentName":"dev"}`)
	}
}

// BenchmarkCreateToken measures one durable write (fsync included).
func BenchmarkCreateToken(b *testing.B) {
	api, _ := benchAPI(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		serve(b, api, "POST", "/backend/bench/challenge", "")
	}
}

// BenchmarkListBackendJobs measures one ListBackendJobs page of 25 (the
// first of 30 jobs) and reports the process's CPU time per page (cpu-µs/op,
// user + system), which other processes on the machine do not inflate.
// "typical" jobs carry the benchmark's auth, API and storage configurations
// (about 300 bytes of request each); "schema" jobs are UpdateBackendAPI with
// a 16 KiB transform schema. Repeated pages come from the read cache;
// "/uncached" reads every page from the store (the read cache off, as with a
// shared PostgreSQL), the cost of the first ask after a write.
func BenchmarkListBackendJobs(b *testing.B) {
	var schema strings.Builder
	for i := 0; schema.Len() < 16<<10; i++ {
		fmt.Fprintf(&schema, "type Model%d @model {\\n  id: ID!\\n  name: String!\\n  description: String\\n  count: Int\\n}\\n", i)
	}
	for _, tc := range []struct {
		name string
		jobs [][2]string // path and body, cycled through
	}{
		{"typical", [][2]string{
			{"/backend/bench/auth/dev", `{"resourceName":"auth1","resourceConfig":{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"userPoolName":"p","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"],"passwordPolicy":{"minimumLength":8,"additionalConstraints":["REQUIRE_DIGIT"]}}}}`},
			{"/backend/bench/api/dev", `{"resourceName":"api1","resourceConfig":{"apiName":"api1","transformSchema":"type Todo @model {\n  id: ID!\n  name: String!\n  done: Boolean\n}\n","defaultAuthType":{"mode":"API_KEY","settings":{"description":"bench","expirationTime":30}}}}`},
			{"/backend/bench/storage/dev", `{"resourceName":"files","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["READ","CREATE_AND_UPDATE","DELETE"],"unAuthenticated":["READ"]}}}`},
		}},
		{"schema", [][2]string{
			{"/backend/bench/api/dev", `{"resourceName":"api1","resourceConfig":{"apiName":"api1","transformSchema":"` + schema.String() + `"}}`},
		}},
	} {
		for _, nocache := range []bool{false, true} {
			name := tc.name
			if nocache {
				name += "/uncached"
			}
			b.Run(name, func(b *testing.B) { benchListBackendJobs(b, tc.jobs, nocache) })
		}
	}
}

// benchListBackendJobs creates 30 jobs from jobsToCreate (cycled through),
// finishes them, and measures the first page of 25.
func benchListBackendJobs(b *testing.B, jobsToCreate [][2]string, nocache bool) {
	api, runner := benchAPIWith(b, backend.Config{Shared: nocache})
	for i := range 30 {
		req := jobsToCreate[i%len(jobsToCreate)]
		serve(b, api, "POST", req[0], req[1])
		time.Sleep(time.Millisecond)
		if _, err := runner.RunOnce(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime(b)
	for b.Loop() {
		serve(b, api, "POST", "/backend/bench/job/dev", `{"maxResults":25}`)
	}
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// cpuTime is the CPU time (user + system) the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkJobWrite measures bench/run.sh's JobWrite pair on one
// connection: CreateBackendAPI, then UpdateBackendJob to COMPLETED (which
// applies the job's effects), and reports the process's CPU time per pair.
func BenchmarkJobWrite(b *testing.B) {
	api, _ := benchAPI(b)
	i := 0
	cpu0 := cpuTime(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		i++
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest("POST", "/backend/bench/api",
			strings.NewReader(fmt.Sprintf(`{"backendEnvironmentName":"dev","resourceName":"r%d","resourceConfig":{"apiName":"x"}}`, i))))
		var job struct{ JobID string }
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &job) != nil {
			b.Fatalf("CreateBackendAPI: %d %s", rec.Code, rec.Body)
		}
		serve(b, api, "POST", "/backend/bench/job/dev/"+job.JobID, `{"status":"COMPLETED"}`)
	}
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// BenchmarkCreateTokenParallel measures CreateToken from 16 concurrent
// clients (group commit batches them) and reports the process's CPU time per
// request; run it with -cpu 1 to match bench/run.sh's one pinned core.
func BenchmarkCreateTokenParallel(b *testing.B) {
	api, _ := benchAPI(b)
	b.SetParallelism((benchConns + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	cpu0 := cpuTime(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			serve(b, api, "POST", "/backend/bench/challenge", "")
		}
	})
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// benchConns is BenchmarkCreateTokenParallel's number of clients.
var benchConns = func() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_CONNS")); err == nil && n > 0 {
		return n
	}
	return 16
}()

// BenchmarkJobWriteParallel is bench/run.sh's JobWrite workload in process:
// benchConns clients, each cycling over its own share of 16 apps × 16
// environments, each doing CreateBackendAPI then UpdateBackendJob to
// COMPLETED. It reports the process's CPU time per pair; run it with -cpu 1
// to match bench/run.sh's one pinned core.
func BenchmarkJobWriteParallel(b *testing.B) {
	api, runner := benchAPI(b)
	var envs [][2]string
	for a := range 16 {
		for e := range 16 {
			app, env := fmt.Sprintf("w%d", a), fmt.Sprintf("e%d", e)
			serve(b, api, "POST", "/backend", fmt.Sprintf(`{"appId":%q,"appName":%q,"backendEnvironmentName":%q}`, app, app, env))
			envs = append(envs, [2]string{app, env})
		}
	}
	time.Sleep(time.Millisecond)
	for {
		n, err := runner.RunOnce(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	b.SetParallelism((benchConns + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	var workers atomic.Int64
	cpu0 := cpuTime(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := int(workers.Add(1)) - 1
		for k := 0; pb.Next(); k++ {
			ae := envs[(w+k*benchConns)%len(envs)]
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, httptest.NewRequest("POST", "/backend/"+ae[0]+"/api",
				strings.NewReader(fmt.Sprintf(`{"backendEnvironmentName":%q,"resourceName":"r%dk%d","resourceConfig":{"apiName":"x"}}`, ae[1], w, k))))
			var job struct{ JobID string }
			if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &job) != nil {
				b.Fatalf("CreateBackendAPI: %d %s", rec.Code, rec.Body)
			}
			serve(b, api, "POST", "/backend/"+ae[0]+"/job/"+ae[1]+"/"+job.JobID, `{"status":"COMPLETED"}`)
		}
	})
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}
