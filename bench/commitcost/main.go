// Command commitcost measures what group commit would buy: it writes
// challenge tokens through the project's SQLite store (WAL,
// synchronous=NORMAL and the store's own WAL fsync, as the server opens it) with 1, 4, 16 and 64 writes per
// Update transaction, i.e. per fsync, and prints one JSON line per batch
// size with writes per second and CPU per write.
//
//	commitcost --dir DIR [--secs 2]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

var partition = backend.Partition{Account: "000000000000", Region: "us-east-1"}

type result struct {
	Kind     string  `json:"kind"`
	Workload string  `json:"workload"`
	Batch    int     `json:"conns"` // writes per commit
	Requests int64   `json:"requests"`
	Seconds  float64 `json:"seconds"`
	RPS      float64 `json:"rps"`
	CPUusPer float64 `json:"cpu_us_per_req"`
}

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	dir := flag.String("dir", "", "directory on the disk to measure (a fresh database is created in it)")
	secs := flag.Float64("secs", 2, "seconds per batch size")
	out := flag.String("results", "", "append JSON lines here (default stdout)")
	flag.Parse()
	if *dir == "" {
		log.Fatal("--dir is required")
	}
	path := filepath.Join(*dir, "commitcost.db")
	os.Remove(path)
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		store.Close()
		for _, s := range []string{"", "-wal", "-shm"} {
			os.Remove(path + s)
		}
	}()
	now := time.Now().UTC()
	if err := store.Update(ctx, func(tx backend.Tx) error {
		return tx.PutApp(partition, &backend.App{ID: "bench", Name: "bench", Created: now})
	}); err != nil {
		log.Fatal(err)
	}
	w := os.Stdout
	if *out != "" {
		if w, err = os.OpenFile(*out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	n := 0
	for _, batch := range []int{1, 4, 16, 64} {
		var writes int64
		c0, t0 := cpu(), time.Now()
		for time.Since(t0).Seconds() < *secs {
			err := store.Update(ctx, func(tx backend.Tx) error {
				if _, err := tx.App(partition, "bench"); err != nil { // as CreateToken does
					return err
				}
				for i := 0; i < batch; i++ {
					n++
					t := &backend.Token{AppID: "bench", SessionID: fmt.Sprintf("s%09d", n), Code: "123456", Expires: now.Add(time.Hour)}
					if err := tx.PutToken(partition, t); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				log.Fatal(err)
			}
			writes += int64(batch)
		}
		el, c := time.Since(t0), cpu()-c0
		r := result{Kind: "commit", Workload: "PutToken", Batch: batch, Requests: writes, Seconds: el.Seconds(),
			RPS: float64(writes) / el.Seconds(), CPUusPer: float64(c.Microseconds()) / float64(writes)}
		b, _ := json.Marshal(r)
		fmt.Fprintln(w, string(b))
		fmt.Fprintln(os.Stderr, string(b))
	}
}
