package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/httpapi"
)

// BenchmarkControlPlaneCost measures what the control plane adds to an API
// request, server side (no network): GetBackend answered from the read cache
// (the cheapest request, so the hooks' share is largest) through the
// server's own handler, with the journal, the metrics and the fault check
// ("journal+metrics"), also with one fault rule for another operation, and
// also with an event subscriber; each against the same edge without hooks
// ("bare", the code path before the control plane). The two run interleaved
// in batches of 100 on one locked thread, whose CPU time is measured
// (getrusage RUSAGE_THREAD), so that other processes on a busy machine
// inflate neither; cpu-µs/op is the hooked request, bare-cpu-µs/op the bare
// one, added-cpu-µs/op the difference.
func BenchmarkControlPlaneCost(b *testing.B) {
	s, o := startBench(b)
	get := func(h http.Handler) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/backend/bench/details", strings.NewReader(`{"backendEnvironmentName":"dev"}`)))
		return rec.Code
	}
	rec := httptest.NewRecorder()
	s.http.Handler.ServeHTTP(rec, httptest.NewRequest("POST", "/backend", strings.NewReader(`{"appId":"bench","appName":"bench","backendEnvironmentName":"dev"}`)))
	for deadline := time.Now().Add(10 * time.Second); get(s.http.Handler) != 200; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("the app was not created")
		}
	}
	bare := httpapi.New(s.Service, httpapi.Options{ReadTimeout: o.ReadTimeout}) // as the server has it
	hooked := s.http.Handler
	const batch = 100
	run := func(name string, h http.Handler, setup func(b *testing.B)) {
		b.Run(name, func(b *testing.B) {
			if setup != nil {
				setup(b)
			}
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var hookedCPU, bareCPU time.Duration
			n := 0
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				for _, v := range []struct {
					h   http.Handler
					sum *time.Duration
				}{{h, &hookedCPU}, {bare, &bareCPU}} {
					t0 := threadCPU()
					for range batch {
						if code := get(v.h); code != 200 {
							b.Fatalf("GetBackend: %d", code)
						}
					}
					*v.sum += threadCPU() - t0
				}
				n += batch
			}
			b.StopTimer()
			per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 / float64(n) }
			b.ReportMetric(per(hookedCPU), "cpu-µs/op")
			b.ReportMetric(per(bareCPU), "bare-cpu-µs/op")
			b.ReportMetric(per(hookedCPU-bareCPU), "added-cpu-µs/op")
			b.ReportMetric(0, "ns/op") // a loop runs 200 requests of two kinds: see the CPU metrics
		})
	}
	run("journal+metrics", hooked, nil)
	run("journal+metrics+1rule", hooked, func(b *testing.B) {
		rec := httptest.NewRecorder()
		hooked.ServeHTTP(rec, httptest.NewRequest("POST", "/_amplifylite/faults", strings.NewReader(`{"operation":"CreateToken","latencyMs":1}`)))
		b.Cleanup(func() {
			hooked.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("DELETE", "/_amplifylite/faults", nil))
		})
	})
	run("journal+metrics+subscriber", hooked, func(b *testing.B) {
		resp, err := http.Get(s.URL + "/_amplifylite/events")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { resp.Body.Close() })
		go func() { // a reader that keeps up
			buf := make([]byte, 64<<10)
			for {
				if _, err := resp.Body.Read(buf); err != nil {
					return
				}
			}
		}()
		for s.Control == nil || !strings.Contains(scrapeMetric(b, s.URL), "amplifylite_event_subscribers 1") {
			time.Sleep(time.Millisecond)
		}
	})
}

func scrapeMetric(b *testing.B, url string) string {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			return sb.String()
		}
	}
}

// startBench starts the server with its default options (jobs finish at
// once), stopped when b ends.
func startBench(b *testing.B) (*Server, Options) {
	o := DefaultOptions()
	o.Listen, o.DataDir, o.JobDuration = "127.0.0.1:0", b.TempDir(), 0
	s, err := Start(context.Background(), o, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close(context.Background()) })
	return s, o
}

// threadCPU is the calling thread's CPU time so far, user and system.
func threadCPU() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD (Linux)
	var ru syscall.Rusage
	syscall.Getrusage(rusageThread, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
