// Command upgradecost measures what opening a database written by an older
// release costs when its schema is migrated: the time Open takes (the
// backup, then the migrations), the process's CPU time, and the disk the
// database's files use before, at the peak and after (the file, its WAL and
// the backup). It changes the database it is given: run it on a copy.
//
//	upgradecost --db /tmp/copy/amplifylite.db
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

func main() {
	db := flag.String("db", "", "database file to open (and migrate)")
	flag.Parse()
	if *db == "" {
		log.Fatal("--db is required")
	}
	before := files(*db)
	var peak int64
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // samples the files' size while Open runs
		defer close(done)
		for {
			n := total(files(*db))
			mu.Lock()
			peak = max(peak, n)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	cpu0 := cpuTime()
	start := time.Now()
	s, err := sqlite.Open(context.Background(), *db)
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	close(stop)
	<-done
	if err != nil {
		log.Fatal(err)
	}
	atOpen := files(*db)
	if err := s.Close(); err != nil {
		log.Fatal(err)
	}
	after := files(*db)
	fmt.Printf("open (backup + migrations): %.1f s wall, %.1f s CPU\n", elapsed.Seconds(), cpu.Seconds())
	show := func(name string, fs map[string]int64) {
		fmt.Printf("%-18s %8.1f MiB:", name, mib(total(fs)))
		names := make([]string, 0, len(fs))
		for n := range fs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Printf("  %s %.1f MiB", n, mib(fs[n]))
		}
		fmt.Println()
	}
	show("before", before)
	fmt.Printf("%-18s %8.1f MiB (sampled every 50 ms)\n", "peak while opening", mib(peak))
	show("open", atOpen)
	show("after Close", after)
}

// files are the sizes of the database's files: itself, -wal, -shm, backups.
func files(db string) map[string]int64 {
	out := map[string]int64{}
	matches, _ := filepath.Glob(db + "*")
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil {
			out[filepath.Base(m)] = fi.Size()
		}
	}
	return out
}

func total(fs map[string]int64) (n int64) {
	for _, v := range fs {
		n += v
	}
	return n
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
