package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/server"
)

// TestFullDisk_RunnerDegradesAndRecovers fills the data dir's file system
// while a job is due: the runner reports itself degraded on the health
// endpoint (instead of spinning), acknowledged state stays readable, and once
// space is freed the job completes. It needs a small tmpfs, so it runs as
// root only.
func TestFullDisk_RunnerDegradesAndRecovers(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=4m"); err != nil {
		t.Skipf("cannot mount a small tmpfs to fill (needs root): %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	opts := server.DefaultOptions()
	opts.Listen, opts.DataDir, opts.JobDuration = "127.0.0.1:0", filepath.Join(dir, "data"), 500*time.Millisecond
	s, err := server.Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &inproc{t: t, s: s}
	defer p.stop()
	p.job("/backend", `{"appId":"app1","appName":"n","backendEnvironmentName":"dev"}`)
	tok := p.must("POST", "/backend/app1/challenge", "")
	job := p.must("POST", "/backend", `{"appId":"app2","appName":"n","backendEnvironmentName":"dev"}`)

	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	f.Close()

	health := func() map[string]string {
		_, raw := p.call("GET", "/_amplifylite/health", "")
		var h map[string]string
		if err := json.Unmarshal([]byte(raw), &h); err != nil {
			t.Fatalf("health: %q", raw)
		}
		return h
	}
	deadline := time.Now().Add(20 * time.Second)
	for health()["jobs"] != "degraded" {
		if time.Now().After(deadline) {
			t.Fatalf("the runner never reported the full disk: %v", health())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if h := health(); !strings.Contains(h["jobsError"], "full") {
		t.Errorf("health while the disk is full: %v", h)
	}
	// What was acknowledged is still served.
	if got := p.must("GET", "/backend/app1/challenge/"+tok["sessionId"].(string), ""); got["challengeCode"] != tok["challengeCode"] {
		t.Errorf("token while the disk is full: %v", got)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got := p.must("GET", "/backend/app2/job/dev/"+job["jobId"].(string), "")
		if got["status"] == "COMPLETED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job after space was freed: %v", got)
		}
	}
	if h := health(); h["jobs"] != "ok" {
		t.Errorf("health after recovery: %v", h)
	}
	p.must("POST", "/backend/app2/details", `{}`)
}
