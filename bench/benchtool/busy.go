package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuTotals returns busy and total jiffies over all CPUs from /proc/stat.
func cpuTotals() (busy, total int64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i >= 8 { // guest time is already counted in user
			break
		}
		total += n
		if i != 3 && i != 4 {
			busy += n
		}
	}
	return busy, total, nil
}

// machineBusy is the share of all CPUs busy over d, in percent.
func machineBusy(d time.Duration) (float64, error) {
	b0, t0, err := cpuTotals()
	if err != nil {
		return 0, err
	}
	time.Sleep(d)
	b1, t1, err := cpuTotals()
	if err != nil || t1 == t0 {
		return 0, err
	}
	return 100 * float64(b1-b0) / float64(t1-t0), nil
}

// busyCmd waits until the machine is quiet (all CPUs together below -max
// percent busy over -over) for at most -wait, then records how busy it was.
func busyCmd(args []string) error {
	fs := flag.NewFlagSet("busy", flag.ExitOnError)
	maxPct := fs.Float64("max", 15, "quiet means below this many percent busy")
	over := fs.Duration("over", 2*time.Second, "sampling window")
	wait := fs.Duration("wait", 0, "wait at most this long for quiet")
	r := Result{Kind: "machine"}
	fs.IntVar(&r.Round, "round", 0, "round")
	fs.StringVar(&r.Phase, "phase", "", "label")
	results := fs.String("results", "", "results.jsonl")
	fs.Parse(args)
	start := time.Now()
	for {
		pct, err := machineBusy(*over)
		if err != nil {
			return err
		}
		r.BusyPct = pct
		if pct < *maxPct || time.Since(start) >= *wait {
			break
		}
		fmt.Fprintf(os.Stderr, "machine %.0f%% busy (other processes); waiting for quiet (%s left)\n", pct, (*wait - time.Since(start)).Round(time.Second))
		time.Sleep(3 * time.Second)
	}
	r.Seconds = time.Since(start).Seconds()
	return appendResult(*results, r)
}
