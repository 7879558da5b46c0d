package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// startupCmd times fork → first HTTP 200 on the health endpoint, n times.
// In the command after "--", {port} and {dir} are replaced by a free port and,
// with -mode fresh, a new empty directory per run, or with -mode existing,
// one directory that the first (untimed) run creates. At each first 200 it
// also reads the server's CPU time so far (its threads' schedstat, in ns)
// and minor page faults: what a start costs, which a busy machine inflates
// far less than the wall clock.
func startupCmd(args []string) error {
	fs := flag.NewFlagSet("startup", flag.ExitOnError)
	r := Result{Kind: "startup"}
	fs.StringVar(&r.Server, "server", "", "server name")
	fs.StringVar(&r.Mode, "mode", "fresh", "fresh or existing data directory")
	n := fs.Int("n", 20, "runs")
	work := fs.String("work", os.TempDir(), "parent of the data directories")
	results := fs.String("results", "", "results.jsonl")
	fs.Parse(args)
	argv := fs.Args()
	if len(argv) == 0 {
		return fmt.Errorf("no command after --")
	}
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	dir := ""
	var cpus []time.Duration
	var faults []int64
	once := func(timed bool) (time.Duration, error) {
		port, err := freePort()
		if err != nil {
			return 0, err
		}
		if r.Mode == "fresh" || dir == "" {
			if dir, err = os.MkdirTemp(*work, "startup-"); err != nil {
				return 0, err
			}
		}
		cmdArgs := make([]string, len(argv))
		for i, a := range argv {
			a = strings.ReplaceAll(a, "{port}", fmt.Sprint(port))
			cmdArgs[i] = strings.ReplaceAll(a, "{dir}", dir)
		}
		url := fmt.Sprintf("http://127.0.0.1:%d/_amplifylite/health", port)
		cmd := exec.Command(cmdArgs[0], cmdArgs[1:]...)
		cmd.Stderr = os.Stderr
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			return 0, err
		}
		defer func() {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
			if r.Mode == "fresh" {
				os.RemoveAll(dir)
			}
		}()
		for {
			resp, err := client.Get(url)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					d := time.Since(t0)
					if cpu, flt, err := startCost(cmd.Process.Pid); err == nil && timed {
						cpus, faults = append(cpus, cpu), append(faults, flt)
					}
					return d, nil
				}
			}
			if time.Since(t0) > 10*time.Second {
				return 0, fmt.Errorf("%s: no 200 from %s after 10s (%v)", r.Server, url, err)
			}
			time.Sleep(200 * time.Microsecond)
		}
	}
	if r.Mode == "existing" { // creates the database once, untimed
		if _, err := once(false); err != nil {
			return err
		}
	}
	var ds []time.Duration
	for i := 0; i < *n; i++ {
		d, err := once(true)
		if err != nil {
			return err
		}
		ds = append(ds, d)
	}
	if r.Mode == "existing" {
		os.RemoveAll(dir)
	}
	sortDurations(ds)
	r.Runs = len(ds)
	r.P50ms, r.MinMs, r.MaxMs, r.MeanMs = pct(ds, 50), ms(ds[0]), ms(ds[len(ds)-1]), mean(ds)
	if len(cpus) == len(ds) {
		sortDurations(cpus)
		slices.Sort(faults)
		r.CPUms, r.MinFlt = pct(cpus, 50), faults[len(faults)/2]
	}
	return appendResult(*results, r)
}

// startCost reads the CPU time the process pid has used so far (the sum of
// its threads' time on CPU from /proc/PID/task/*/schedstat, in ns; threads
// that already ended are not counted, and a Go server ends none while it
// starts) and its minor page faults (/proc/PID/stat).
func startCost(pid int) (time.Duration, int64, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(tasks) == 0 {
		return 0, 0, fmt.Errorf("no tasks of %d", pid)
	}
	var cpu time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			return 0, 0, err
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			return 0, 0, fmt.Errorf("%s: empty", t)
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, err
		}
		cpu += time.Duration(ns)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// Fields after the command (in parentheses, which may hold spaces):
	// state is the 3rd field of the line, minflt the 10th.
	rest := string(b)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 8 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: short", pid)
	}
	flt, err := strconv.ParseInt(f[7], 10, 64)
	return cpu, flt, err
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
