package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"
)

// tokens is what seedjobs writes.
type tokens struct {
	Jobs     int               `json:"jobs"`
	SeedSecs float64           `json:"seedSeconds"`
	Pages    map[string]string `json:"pages"`
	Starts   map[string]int    `json:"starts"`
}

// pagesCmd times one ListBackendJobs page at a time on one connection: the
// first page, the one in the middle and the last full one. Before each timed
// request, an untimed CreateToken writes, so that every page is read from the
// database (the server keeps answers to repeated reads until the next write).
func pagesCmd(args []string) error {
	fs := flag.NewFlagSet("pages", flag.ExitOnError)
	url := fs.String("url", "", "server URL")
	tokFile := fs.String("tokens", "", "tokens.json from seedjobs")
	app := fs.String("app", "big", "app id")
	env := fs.String("env", "dev", "environment")
	n := fs.Int("n", 500, "timed requests per page")
	cached := fs.Bool("cached", false, "the database came from the cache")
	results := fs.String("results", "", "results.jsonl")
	fs.Parse(args)
	b, err := os.ReadFile(*tokFile)
	if err != nil {
		return err
	}
	var t tokens
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	c := newClient(1)
	path := fmt.Sprintf("%s/backend/%s/job/%s", *url, *app, *env)
	pages := []struct {
		name, token string
		start       int
	}{{"first", "", 0}, {"mid", t.Pages["mid"], t.Starts["mid"]}, {"last", t.Pages["last"], t.Starts["last"]}}
	for _, p := range pages {
		if p.name != "first" && p.token == "" {
			continue
		}
		body := `{"maxResults":25}`
		if p.token != "" {
			body = fmt.Sprintf(`{"maxResults":25,"nextToken":%q}`, p.token)
		}
		want := min(25, t.Jobs-p.start)
		lats := make([]time.Duration, 0, *n)
		for i := 0; i < *n+*n/10; i++ {
			if status, rb, err := call(c, "POST", fmt.Sprintf("%s/backend/%s/challenge", *url, *app), ""); err != nil || status != 200 {
				return fmt.Errorf("CreateToken: HTTP %d %s %v", status, rb, err)
			}
			t0 := time.Now()
			status, rb, err := call(c, "POST", path, body)
			d := time.Since(t0)
			if err != nil || status != 200 {
				return fmt.Errorf("ListBackendJobs %s page of %d jobs: HTTP %d %s %v", p.name, t.Jobs, status, rb, err)
			}
			if i == 0 {
				var out struct{ Jobs []json.RawMessage }
				json.Unmarshal(rb, &out)
				if len(out.Jobs) != want {
					return fmt.Errorf("ListBackendJobs %s page of %d jobs: %d jobs, want %d", p.name, t.Jobs, len(out.Jobs), want)
				}
			}
			if i >= *n/10 { // the first tenth warms up
				lats = append(lats, d)
			}
		}
		sortDurations(lats)
		r := Result{Kind: "pages", Workload: "ListBackendJobs", Jobs: t.Jobs, Page: p.name, Start: p.start, Requests: int64(len(lats)),
			P50ms: pct(lats, 50), P99ms: pct(lats, 99), MeanMs: mean(lats), MaxMs: ms(lats[len(lats)-1]), SeedSecs: t.SeedSecs, Cached: *cached}
		if err := appendResult(*results, r); err != nil {
			return err
		}
	}
	return nil
}
