package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// BenchmarkJobsPage measures one ListBackendJobs page (26 rows: a page of
// 25 plus one to detect the next) starting mid-listing, in an environment
// with n jobs. Set AMPLIFYLITE_BENCH_1M=1 to include 1M jobs.
func BenchmarkJobsPage(b *testing.B) {
	sizes := []int{1_000, 100_000}
	if os.Getenv("AMPLIFYLITE_BENCH_1M") != "" {
		sizes = append(sizes, 1_000_000)
	}
	p := backend.Partition{Account: "123456789012", Region: "us-east-1"}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range sizes {
		b.Run(fmt.Sprintf("jobs=%d", n), func(b *testing.B) {
			s := openAt(b, filepath.Join(b.TempDir(), "bench.db"))
			defer s.Close()
			ctx := context.Background()
			payload := json.RawMessage(`{"appId":"app","backendEnvironmentName":"dev","resourceConfig":{}}`)
			err := s.Update(ctx, func(tx backend.Tx) error {
				for i := range n {
					status := backend.StatusCompleted
					if i%100 == 0 {
						status = backend.StatusFailed
					}
					created := base.Add(time.Duration(i/4) * time.Millisecond) // some equal times
					j := backend.Job{ID: fmt.Sprintf("job-%08d", i), AppID: "app", Envs: []string{"dev"},
						Kind: "create", Operation: "CreateBackendAPI", Status: status,
						Created: created, Updated: created, Due: created, Payload: payload}
					if err := tx.PutJob(p, &j); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			mid := &backend.JobCursor{Created: base.Add(time.Duration(n/8) * time.Millisecond), JobID: fmt.Sprintf("job-%08d", n/2)}
			for _, tc := range []struct {
				name string
				q    backend.JobQuery
			}{
				{"all", backend.JobQuery{After: mid, Limit: 26}},
				{"status", backend.JobQuery{Status: backend.StatusFailed, After: mid, Limit: 26}},
				{"jobid", backend.JobQuery{JobID: fmt.Sprintf("job-%08d", n-1), After: mid, Limit: 26}},
			} {
				b.Run(tc.name, func(b *testing.B) {
					for b.Loop() {
						err := s.View(ctx, func(tx backend.Tx) error {
							js, err := tx.Jobs(p, "app", "dev", tc.q)
							if err == nil && len(js) == 0 {
								err = fmt.Errorf("empty page")
							}
							return err
						})
						if err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkUpdate measures one small durable write transaction.
func BenchmarkUpdate(b *testing.B) {
	s := openAt(b, filepath.Join(b.TempDir(), "bench.db"))
	defer s.Close()
	ctx := context.Background()
	p := backend.Partition{Account: "123456789012", Region: "us-east-1"}
	i := 0
	c0 := cpuTime()
	for b.Loop() {
		i++
		err := s.Update(ctx, func(tx backend.Tx) error {
			return tx.PutToken(p, &backend.Token{AppID: "app", SessionID: fmt.Sprint(i), Code: "123456", Expires: time.Now()})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-c0).Microseconds())/float64(b.N), "cpu-µs/write")
}

// BenchmarkUpdateParallel measures small durable writes (one PutToken per
// Update) from 16 and 64 concurrent writers, reporting writes/s and the
// process CPU per write.
func BenchmarkUpdateParallel(b *testing.B) {
	for _, writers := range []int{16, 64} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s := openAt(b, filepath.Join(b.TempDir(), "bench.db"))
			defer s.Close()
			ctx := context.Background()
			p := backend.Partition{Account: "123456789012", Region: "us-east-1"}
			var n atomic.Int64
			b.SetParallelism((writers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			c0, t0, b0 := cpuTime(), time.Now(), sqlite.Batches(s)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					id := fmt.Sprint(n.Add(1))
					err := s.Update(ctx, func(tx backend.Tx) error {
						return tx.PutToken(p, &backend.Token{AppID: "app", SessionID: id, Code: "123456", Expires: time.Now()})
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			el, c := time.Since(t0), cpuTime()-c0
			b.ReportMetric(float64(b.N)/el.Seconds(), "writes/s")
			b.ReportMetric(float64(c.Microseconds())/float64(b.N), "cpu-µs/write")
			b.ReportMetric(float64(b.N)/float64(sqlite.Batches(s)-b0), "writes/commit")
		})
	}
}

// BenchmarkOpen measures Open on a new database file and on an existing
// one (Close is not timed).
func BenchmarkOpen(b *testing.B) {
	ctx := context.Background()
	b.Run("fresh", func(b *testing.B) {
		dir := b.TempDir()
		i := 0
		for b.Loop() {
			i++
			s, err := sqlite.Open(ctx, filepath.Join(dir, strconv.Itoa(i), "amplifylite.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			s.Close()
			b.StartTimer()
		}
	})
	existing := func(b *testing.B, path string) {
		for b.Loop() {
			s, err := sqlite.Open(ctx, path)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			s.Close()
			b.StartTimer()
		}
	}
	b.Run("existing", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "amplifylite.db")
		openAt(b, path).Close()
		existing(b, path)
	})
	b.Run("existing-100apps", func(b *testing.B) { existing(b, healthy(b, 100)) })
	// AMPLIFYLITE_BENCH_DB names a large database (bench/bigdb makes one):
	// Open with the check its size selects, then with each check forced.
	if path := os.Getenv("AMPLIFYLITE_BENCH_DB"); path != "" {
		for _, tc := range []struct {
			name string
			max  int64 // quickCheckMax; < 0: unchanged
		}{{"bySize", -1}, {"quick_check", math.MaxInt64}, {"walk", 0}} {
			b.Run("big/"+tc.name, func(b *testing.B) {
				if tc.max >= 0 {
					sqlite.SetQuickCheckMax(b, tc.max)
				}
				existing(b, path)
			})
		}
	}
}

// cpuTime is the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
