package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat; it
// is 100 on every Linux architecture Go supports.
const clockTicks = 100

// cpuTicks returns utime+stime of the process, in clock ticks.
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; fields resume after its ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	return u + st, nil
}

// treeTicks returns the CPU time of pid and of all its children (PostgreSQL's
// backends are the postmaster's), in clock ticks: utime+stime of pid and of
// each live child, and pid's cutime+cstime, where the time of the children it
// has reaped went.
func treeTicks(pid int) int64 {
	total, _ := cpuTicks(pid)
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		if len(f) > 14 { // f[13], f[14] are fields 16 and 17: cutime, cstime
			cu, _ := strconv.ParseInt(f[13], 10, 64)
			cs, _ := strconv.ParseInt(f[14], 10, 64)
			total += cu + cs
		}
	}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		child, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", child))
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			t, _ := cpuTicks(child)
			total += t
		}
	}
	return total
}

// memKB returns VmRSS and VmHWM of the process.
func memKB(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm, nil
}

func rssCmd(args []string) error {
	fs := flag.NewFlagSet("rss", flag.ExitOnError)
	pid := fs.Int("pid", 0, "server pid")
	r := Result{Kind: "rss"}
	fs.StringVar(&r.Server, "server", "", "server name")
	fs.IntVar(&r.Round, "round", 0, "round")
	fs.StringVar(&r.Phase, "phase", "", "idle or after")
	results := fs.String("results", "", "results.jsonl")
	fs.Parse(args)
	var err error
	if r.VmRSSkB, r.VmHWMkB, err = memKB(*pid); err != nil {
		return err
	}
	return appendResult(*results, r)
}

func loadCmd(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	url := fs.String("url", "", "server URL")
	pid := fs.Int("pid", 0, "server pid (for CPU time)")
	pgPid := fs.Int("pg-pid", 0, "PostgreSQL's postmaster pid: also measure the CPU time of it and its children (the backends)")
	fixture := fs.String("fixture", "", "fixture.json")
	lua := fs.String("lua", "bench/lua/request.lua", "wrk script")
	warmup := fs.Duration("warmup", time.Second, "unmeasured run before the measured one")
	results := fs.String("results", "", "results.jsonl")
	r := Result{}
	fs.StringVar(&r.Kind, "kind", "load", "kind of result (pgload: a PostgreSQL setup's)")
	fs.StringVar(&r.Server, "server", "", "server name")
	fs.IntVar(&r.Round, "round", 0, "round")
	fs.StringVar(&r.Workload, "workload", "", "workload name")
	fs.IntVar(&r.Conns, "c", 16, "connections")
	dur := fs.Duration("d", 5*time.Second, "measured duration")
	tag := fs.String("tag", "", "unique tag for resource names")
	fs.Parse(args)
	if *dur > 25*time.Second {
		return fmt.Errorf("-d %v: every load run is bounded to 25s", *dur)
	}
	fx, err := readFixture(*fixture)
	if err != nil {
		return err
	}
	run := func(d time.Duration, measured bool) error {
		var before, pgBefore int64
		if measured {
			if before, err = cpuTicks(*pid); err != nil {
				return err
			}
			if *pgPid > 0 {
				pgBefore = treeTicks(*pgPid)
			}
		}
		var err error
		if r.Workload == "JobWrite" {
			// Resource names must be new in every run on the same server.
			err = jobWrite(&r, *url, fx.WriteEnvs, d, fmt.Sprintf("%sc%d%s", *tag, r.Conns, map[bool]string{true: "m", false: "w"}[measured]))
		} else {
			req, ok := fx.Workloads[r.Workload]
			if !ok {
				return fmt.Errorf("unknown workload %q", r.Workload)
			}
			err = runWrk(&r, *url, *lua, req, d)
		}
		if err != nil || !measured {
			return err
		}
		after, err := cpuTicks(*pid)
		if err != nil {
			return err
		}
		r.CPUUtil = float64(after-before) * 100 / clockTicks / r.Seconds
		if r.Requests > 0 {
			r.CPUusPer = float64(after-before) * 1e6 / clockTicks / float64(r.Requests)
			if *pgPid > 0 {
				r.PGusPer = float64(treeTicks(*pgPid)-pgBefore) * 1e6 / clockTicks / float64(r.Requests)
			}
		}
		return nil
	}
	if *warmup > 0 {
		if err := run(*warmup, false); err != nil {
			return fmt.Errorf("warmup: %w", err)
		}
	}
	if err := run(*dur, true); err != nil {
		return err
	}
	return appendResult(*results, r)
}

// wrkSummary is what bench/lua/request.lua's done() prints.
type wrkSummary struct {
	Requests   int64   `json:"requests"`
	DurationUS int64   `json:"duration_us"`
	ErrConnect int64   `json:"err_connect"`
	ErrRead    int64   `json:"err_read"`
	ErrWrite   int64   `json:"err_write"`
	ErrStatus  int64   `json:"err_status"`
	ErrTimeout int64   `json:"err_timeout"`
	P50        float64 `json:"p50_us"`
	P99        float64 `json:"p99_us"`
	Max        float64 `json:"max_us"`
	Mean       float64 `json:"mean_us"`
}

// runWrk runs wrk with one thread (the load generator has one core) and
// fills r from its summary.
func runWrk(r *Result, url, lua string, req Request, d time.Duration) error {
	body := req.Body
	if body == "" {
		body = "-"
	}
	args := []string{"-t1", fmt.Sprintf("-c%d", r.Conns), fmt.Sprintf("-d%ds", int(d.Seconds()+0.5)), "--timeout", "10s",
		"-s", lua, url, "--", req.Method, body}
	args = append(args, req.Paths...)
	cmd := exec.Command("wrk", args...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("wrk: %v: %s%s", err, out.String(), stderr.String())
	}
	var s wrkSummary
	line := out.String()
	if i := strings.LastIndex(line, "\n{"); i >= 0 {
		line = line[i+1:]
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(line)), &s); err != nil {
		return fmt.Errorf("wrk output: %v: %s", err, out.String())
	}
	r.Tool = "wrk"
	r.Requests = s.Requests
	r.Seconds = float64(s.DurationUS) / 1e6
	r.RPS = float64(s.Requests) / r.Seconds
	r.P50ms, r.P99ms, r.MaxMs, r.MeanMs = s.P50/1000, s.P99/1000, s.Max/1000, s.Mean/1000
	r.Errors = s.ErrConnect + s.ErrRead + s.ErrWrite + s.ErrStatus + s.ErrTimeout
	if r.Errors > 0 {
		r.ErrorNote = fmt.Sprintf("connect %d, read %d, write %d, HTTP status ≥ 400 %d, timeout %d",
			s.ErrConnect, s.ErrRead, s.ErrWrite, s.ErrStatus, s.ErrTimeout)
	}
	return nil
}

// jobWrite is the job-creating write: each connection owns a share of the
// write environments and loops CreateBackendAPI → UpdateBackendJob
// (COMPLETED) over them, so no environment ever has two RUNNING jobs. Both
// requests count; latencies are per request.
func jobWrite(r *Result, url string, envs []string, d time.Duration, tag string) error {
	if len(envs) < r.Conns {
		return fmt.Errorf("JobWrite needs at least %d write environments, have %d", r.Conns, len(envs))
	}
	c := newClient(r.Conns)
	var (
		mu       sync.Mutex
		lats     []time.Duration
		requests atomic.Int64
		errs     atomic.Int64
		note     atomic.Value
		wg       sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for w := 0; w < r.Conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var mine []string
			for i := w; i < len(envs); i += r.Conns {
				mine = append(mine, envs[i])
			}
			local := make([]time.Duration, 0, 4096)
			fail := func(what string, status int, b []byte, err error) {
				errs.Add(1)
				if note.Load() == nil {
					note.Store(fmt.Sprintf("%s: HTTP %d %s %v", what, status, bytes.TrimSpace(b), err))
				}
			}
			for k := 0; time.Now().Before(deadline); k++ {
				app, env, _ := strings.Cut(mine[k%len(mine)], "/")
				body := resourceBody(env, fmt.Sprintf("r%sw%dk%d", tag, w, k), `{"apiName":"x"}`)
				t0 := time.Now()
				status, b, err := call(c, "POST", url+"/backend/"+app+"/api", body)
				local = append(local, time.Since(t0))
				requests.Add(1)
				if err != nil || status != 200 {
					fail("CreateBackendAPI", status, b, err)
					continue
				}
				var j struct{ JobID string }
				json.Unmarshal(b, &j)
				t0 = time.Now()
				status, b, err = call(c, "POST", fmt.Sprintf("%s/backend/%s/job/%s/%s", url, app, env, j.JobID), `{"status":"COMPLETED"}`)
				local = append(local, time.Since(t0))
				requests.Add(1)
				if err != nil || status != 200 {
					fail("UpdateBackendJob", status, b, err)
				}
			}
			mu.Lock()
			lats = append(lats, local...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	sortDurations(lats)
	r.Tool = "benchtool (Go, net/http)"
	r.Requests = requests.Load()
	r.Seconds = elapsed.Seconds()
	r.RPS = float64(r.Requests) / r.Seconds
	r.P50ms, r.P99ms, r.MeanMs = pct(lats, 50), pct(lats, 99), mean(lats)
	if len(lats) > 0 {
		r.MaxMs = ms(lats[len(lats)-1])
	}
	r.Errors = errs.Load()
	if n, ok := note.Load().(string); ok {
		r.ErrorNote = "first: " + n
	}
	return nil
}
