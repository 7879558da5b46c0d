package server

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"
)

// BenchmarkStart measures what the server does between the process's
// package initialisation and its first answer: Start on a data directory
// (fresh: a new one each time; existing: the same one), the first health
// request over TCP, then Close (not timed); cpu-µs/op is the process's CPU
// time over the timed part (the job runner's first round included).
func BenchmarkStart(b *testing.B) {
	for _, mode := range []string{"fresh", "existing"} {
		b.Run(mode, func(b *testing.B) {
			dir := b.TempDir()
			i := 0
			var cpu time.Duration
			for b.Loop() {
				cpu0 := cpuTime(b)
				opts := DefaultOptions()
				opts.Listen, opts.DataDir = "127.0.0.1:0", dir
				if mode == "fresh" {
					i++
					opts.DataDir = b.TempDir()
				}
				s, err := Start(context.Background(), opts, nil)
				if err != nil {
					b.Fatal(err)
				}
				resp, err := http.Get(s.URL + "/_amplifylite/health")
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("health: %d", resp.StatusCode)
				}
				cpu += cpuTime(b) - cpu0
				b.StopTimer()
				http.DefaultClient.CloseIdleConnections()
				s.Close(context.Background())
				b.StartTimer()
			}
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}
