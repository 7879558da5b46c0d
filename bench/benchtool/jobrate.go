package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// jobrateCmd measures how fast a server started with --job-duration 0
// finishes jobs: it submits one job per environment from many clients at
// once, waits until every job is COMPLETED, and divides the number of jobs by
// the span from the first createTime to the last updateTime (the server's own
// clock, in ms). Two bursts: CreateBackend on new environments, then
// CreateBackendAPI on each of them.
func jobrateCmd(args []string) error {
	fs := flag.NewFlagSet("jobrate", flag.ExitOnError)
	urlList := fs.String("url", "", "server URL; several, comma-separated, share the submissions (replicas on one database)")
	server := fs.String("server", "amplifylite", "server name in the results")
	kind := fs.String("kind", "jobrate", "kind of result (pgjobrate: on PostgreSQL replicas)")
	apps := fs.Int("apps", 10, "apps")
	envs := fs.Int("envs", 100, "environments per app")
	conns := fs.Int("c", 32, "concurrent clients")
	round := fs.Int("round", 0, "round")
	results := fs.String("results", "", "results.jsonl")
	fs.Parse(args)
	c := newClient(*conns)
	urls := strings.Split(*urlList, ",")
	for _, u := range urls {
		if err := waitHealthy(c, u, 10*time.Second); err != nil {
			return err
		}
	}
	// Each environment's requests go to one of the servers, in turn.
	urlOf := map[string]string{}
	var pairs []string
	for a := 0; a < *apps; a++ {
		for e := 0; e < *envs; e++ {
			pair := fmt.Sprintf("r%d/e%d", a, e)
			urlOf[pair] = urls[len(pairs)%len(urls)]
			pairs = append(pairs, pair)
		}
	}
	bursts := []struct {
		op   string
		path func(app string) string
		body func(app, env string) string
	}{
		{"CreateBackend", func(string) string { return "/backend" }, createBackend},
		{"CreateBackendAPI", func(app string) string { return "/backend/" + app + "/api" },
			func(app, env string) string { return resourceBody(env, "rateapi", `{"apiName":"rateapi"}`) }},
	}
	for _, b := range bursts {
		var mu sync.Mutex
		ids := map[string]string{}
		start := time.Now()
		err := parallel(*conns, pairs, func(ae string) error {
			app, env := splitPair(ae)
			status, rb, err := call(c, "POST", urlOf[ae]+b.path(app), b.body(app, env))
			if err != nil || status != 200 {
				return fmt.Errorf("%s %s: HTTP %d %s %v", b.op, ae, status, rb, err)
			}
			var j struct{ JobID string }
			json.Unmarshal(rb, &j)
			mu.Lock()
			ids[ae] = j.JobID
			mu.Unlock()
			return nil
		})
		if err != nil {
			return err
		}
		submit := time.Since(start)
		var first, last int64
		deadline := time.Now().Add(60 * time.Second)
		err = parallel(*conns, pairs, func(ae string) error {
			app, env := splitPair(ae)
			for {
				status, rb, err := call(c, "GET", fmt.Sprintf("%s/backend/%s/job/%s/%s", urlOf[ae], app, env, ids[ae]), "")
				if err != nil || status != 200 {
					return fmt.Errorf("GetBackendJob %s: HTTP %d %s %v", ae, status, rb, err)
				}
				var j struct{ Status, CreateTime, UpdateTime, Error string }
				json.Unmarshal(rb, &j)
				switch j.Status {
				case "RUNNING":
					if time.Now().After(deadline) {
						return fmt.Errorf("%s job %s still RUNNING after 60s", b.op, ae)
					}
					time.Sleep(20 * time.Millisecond)
					continue
				case "COMPLETED":
				default:
					return fmt.Errorf("%s job %s ended %s: %s", b.op, ae, j.Status, j.Error)
				}
				ct, _ := strconv.ParseInt(j.CreateTime, 10, 64)
				ut, _ := strconv.ParseInt(j.UpdateTime, 10, 64)
				mu.Lock()
				if first == 0 || ct < first {
					first = ct
				}
				last = max(last, ut)
				mu.Unlock()
				return nil
			}
		})
		if err != nil {
			return err
		}
		span := time.Duration(last-first) * time.Millisecond
		r := Result{Kind: *kind, Round: *round, Server: *server, Workload: b.op, Jobs: len(pairs), Conns: *conns,
			Seconds: span.Seconds(), JobsPerSec: float64(len(pairs)) / span.Seconds(), SubmitPS: float64(len(pairs)) / submit.Seconds()}
		if err := appendResult(*results, r); err != nil {
			return err
		}
	}
	return nil
}

func splitPair(ae string) (app, env string) {
	for i := 0; i < len(ae); i++ {
		if ae[i] == '/' {
			return ae[:i], ae[i+1:]
		}
	}
	return ae, ""
}
