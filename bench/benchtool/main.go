// Command benchtool is the measuring half of bench/run.sh: it seeds the
// fixtures, drives the load (wrk, or its own Go client for the job workload),
// reads the servers' CPU and memory from /proc, times startups, and writes
// BENCHMARKS.md from the results. run.sh starts and stops the servers.
//
//	benchtool fixture  -url U -out DIR           seed amplifylite, check every route, record bodies
//	benchtool load     -url U -pid P -workload W -c N -d DUR ...   one measured run, appended to -results
//	benchtool rss      -pid P -server S -phase idle|after ...
//	benchtool pages    -url U -tokens T.json ...  ListBackendJobs page latency at depth
//	benchtool jobrate  -url U ...                 jobs completed per second (--job-duration 0)
//	benchtool startup  -server S -n 20 -- CMD ARGS...   fork → first 200 on the health endpoint
//	benchtool busy     -wait 3m                   wait for other processes to quiet down; record how busy
//	benchtool modelgen -schema F -name N ...      model generation, ours and the official generator's
//	benchtool report   -results R -meta M -out BENCHMARKS.md
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchtool fixture|load|rss|pages|jobrate|startup|report [flags]")
		os.Exit(2)
	}
	cmds := map[string]func([]string) error{
		"fixture":  fixtureCmd,
		"load":     loadCmd,
		"rss":      rssCmd,
		"pages":    pagesCmd,
		"jobrate":  jobrateCmd,
		"startup":  startupCmd,
		"report":   reportCmd,
		"busy":     busyCmd,
		"modelgen": modelgenCmd,
	}
	cmd, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintln(os.Stderr, "benchtool: unknown command", os.Args[1])
		os.Exit(2)
	}
	if err := cmd(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "benchtool %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// Result is one line of results.jsonl. Kind says which fields are set.
type Result struct {
	Kind     string `json:"kind"` // load, rss, pages, jobrate, startup
	Round    int    `json:"round,omitempty"`
	Server   string `json:"server,omitempty"`
	Workload string `json:"workload,omitempty"`
	Conns    int    `json:"conns,omitempty"`

	Requests   int64   `json:"requests,omitempty"`
	Seconds    float64 `json:"seconds,omitempty"`
	RPS        float64 `json:"rps,omitempty"`
	P50ms      float64 `json:"p50_ms,omitempty"`
	P99ms      float64 `json:"p99_ms,omitempty"`
	MeanMs     float64 `json:"mean_ms,omitempty"`
	MaxMs      float64 `json:"max_ms,omitempty"`
	CPUusPer   float64 `json:"cpu_us_per_req,omitempty"`
	Errors     int64   `json:"errors,omitempty"`
	ErrorNote  string  `json:"error_note,omitempty"`
	Tool       string  `json:"tool,omitempty"`
	Phase      string  `json:"phase,omitempty"`
	VmRSSkB    int64   `json:"vmrss_kb,omitempty"`
	VmHWMkB    int64   `json:"vmhwm_kb,omitempty"`
	Jobs       int     `json:"jobs,omitempty"`
	Page       string  `json:"page,omitempty"`
	Start      int     `json:"start,omitempty"`
	SeedSecs   float64 `json:"seed_s,omitempty"`
	Cached     bool    `json:"cached,omitempty"`
	JobsPerSec float64 `json:"jobs_per_s,omitempty"`
	SubmitPS   float64 `json:"submit_per_s,omitempty"`
	Mode       string  `json:"mode,omitempty"`
	Runs       int     `json:"runs,omitempty"`
	MinMs      float64 `json:"min_ms,omitempty"`
	CPUms      float64 `json:"cpu_ms,omitempty"`            // startup: the server's CPU time up to its first 200, median
	MinFlt     int64   `json:"minflt,omitempty"`            // startup: its minor page faults by then, median
	CPUUtil    float64 `json:"cpu_util_pct,omitempty"`      // server CPU time ÷ wall time
	PGusPer    float64 `json:"pg_cpu_us_per_req,omitempty"` // PostgreSQL's CPU per request (load -pg-pid)
	BusyPct    float64 `json:"busy_pct,omitempty"`          // whole machine, before a round`
}

func appendResult(path string, r Result) error {
	if path == "" {
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
		return nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	b, _ := json.Marshal(r)
	fmt.Fprintln(os.Stderr, string(b))
	_, err = f.Write(append(b, '\n'))
	return err
}

// client is a keep-alive HTTP client for the fixture and the Go loads.
func newClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
			DisableCompression: true, IdleConnTimeout: time.Minute,
		},
	}
}

// call sends one request and returns status and body.
func call(c *http.Client, method, url, body string) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// percentile of sorted durations, in milliseconds.
func pct(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p / 100 * float64(len(sorted)-1))
	return ms(sorted[i])
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func sortDurations(ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
}

func mean(ds []time.Duration) float64 {
	if len(ds) == 0 {
		return 0
	}
	var t time.Duration
	for _, d := range ds {
		t += d
	}
	return ms(t) / float64(len(ds))
}
