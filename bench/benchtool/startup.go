package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// startupCmd times fork → first HTTP 200 on the health endpoint, n times.
// In the command after "--", {port} and {dir} are replaced by a free port and,
// with -mode fresh, a new empty directory per run, or with -mode existing,
// one directory that the first (untimed) run creates.
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
					return time.Since(t0), nil
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
	return appendResult(*results, r)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
