// Command seedjobs fills an amplifylite database with jobs directly through
// the project's SQLite store (seeding a million over HTTP would take far
// longer than the benchmark itself), then walks the listing in-process to
// collect nextTokens that point deep into it. Tokens are signed with the
// database's own secret, so the server later started on the same file
// accepts them.
//
//	seedjobs --db DIR/amplifylite.db --app big --env dev --jobs 1000000 --tokens out.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// partition is the one unsigned requests land in.
var partition = backend.Partition{Account: "000000000000", Region: "us-east-1"}

// Tokens are the nextTokens found by the walk, keyed by the index of the
// first job of the page each one opens.
type Tokens struct {
	Jobs     int               `json:"jobs"`
	SeedSecs float64           `json:"seedSeconds"`
	WalkSecs float64           `json:"walkSeconds"`
	Pages    map[string]string `json:"pages"` // "mid", "last" → token
	Starts   map[string]int    `json:"starts"`
}

func main() {
	db := flag.String("db", "", "database file (the server's DATA_DIR/amplifylite.db)")
	app := flag.String("app", "big", "app id")
	env := flag.String("env", "dev", "environment name")
	n := flag.Int("jobs", 1000, "number of jobs to insert")
	batch := flag.Int("batch", 20000, "jobs per transaction")
	out := flag.String("tokens", "", "write the deep-page tokens here (JSON)")
	flag.Parse()
	if *db == "" {
		log.Fatal("--db is required")
	}
	ctx := context.Background()
	store, err := sqlite.Open(ctx, *db)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	start := time.Now()
	if err := seed(ctx, store, *app, *env, *n, *batch); err != nil {
		log.Fatal(err)
	}
	toks := Tokens{Jobs: *n, SeedSecs: time.Since(start).Seconds(), Pages: map[string]string{}, Starts: map[string]int{}}
	fmt.Fprintf(os.Stderr, "seeded %d jobs in %.1fs\n", *n, toks.SeedSecs)

	start = time.Now()
	if err := walk(ctx, store, *app, *env, *n, &toks); err != nil {
		log.Fatal(err)
	}
	toks.WalkSecs = time.Since(start).Seconds()
	fmt.Fprintf(os.Stderr, "walked the listing in %.1fs\n", toks.WalkSecs)
	if *out != "" {
		b, _ := json.MarshalIndent(toks, "", "  ")
		if err := os.WriteFile(*out, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// seed creates the app and environment and n COMPLETED jobs, one
// millisecond apart, ending now.
func seed(ctx context.Context, store *sqlite.Store, app, env string, n, batch int) error {
	now := time.Now().UTC().Truncate(time.Millisecond)
	base := now.Add(-time.Duration(n) * time.Millisecond)
	err := store.Update(ctx, func(tx backend.Tx) error {
		if err := tx.PutApp(partition, &backend.App{ID: app, Name: app, Created: base.Add(-time.Second)}); err != nil {
			return err
		}
		return tx.PutEnv(partition, &backend.Env{AppID: app, Name: env, Created: base.Add(-time.Second)})
	})
	if err != nil {
		return fmt.Errorf("seed app: %w", err)
	}
	payload := json.RawMessage(`{"appId":"` + app + `","backendEnvironmentName":"` + env + `"}`)
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		err := store.Update(ctx, func(tx backend.Tx) error {
			for i := lo; i < hi; i++ {
				t := base.Add(time.Duration(i) * time.Millisecond)
				j := &backend.Job{
					ID: fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i), AppID: app, Envs: []string{env},
					Kind: "CreateBackendAPI", Operation: "CreateBackendAPI", Status: backend.StatusCompleted,
					Created: t, Updated: t, Due: t, Payload: payload,
				}
				if err := tx.PutJob(partition, j); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed jobs %d-%d: %w", lo, hi, err)
		}
	}
	return nil
}

// walk pages through the whole listing as a client would and keeps the
// tokens that open the middle page and the last full page.
func walk(ctx context.Context, store *sqlite.Store, app, env string, n int, toks *Tokens) error {
	svc, err := backend.New(ctx, store, backend.Config{})
	if err != nil {
		return err
	}
	const page = 25
	targets := map[string]int{"mid": n / 2 / page * page, "last": max(0, (n-1)/page*page)}
	var next *string
	for seen := 0; ; {
		for name, at := range targets {
			if at == seen && at > 0 && next != nil {
				toks.Pages[name], toks.Starts[name] = *next, seen
			}
		}
		out, err := svc.ListBackendJobs(ctx, partition, &ab.ListBackendJobsRequest{
			AppId: ab.String(app), BackendEnvironmentName: ab.String(env), MaxResults: ab.Int32(page), NextToken: next,
		})
		if err != nil {
			return fmt.Errorf("list jobs after %d: %w", seen, err)
		}
		seen += len(out.Jobs)
		if out.NextToken == nil {
			if seen != n {
				return fmt.Errorf("walk saw %d jobs, want %d", seen, n)
			}
			return nil
		}
		next = out.NextToken
	}
}
