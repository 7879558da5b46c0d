package server_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/server"
)

// TestServer_JobRetention runs a server with --job-retention 1s and checks
// that a finished job disappears from GetBackendJob and ListBackendJobs
// once it has not changed for that long, and not before, while the app and
// its environment stay.
func TestServer_JobRetention(t *testing.T) {
	const retention = time.Second
	opts := server.DefaultOptions()
	opts.Listen, opts.DataDir, opts.JobDuration, opts.JobRetention = "127.0.0.1:0", t.TempDir(), 0, retention
	s, err := server.Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &inproc{t: t, s: s}
	defer p.stop()
	id := p.job("/backend", `{"appId":"app1","appName":"first","backendEnvironmentName":"dev"}`)
	done := p.must("GET", "/backend/app1/job/dev/"+id, "")
	ms, err := strconv.ParseInt(done["updateTime"].(string), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	updated := time.UnixMilli(ms)
	deadline := time.Now().Add(15 * time.Second)
	for {
		status, body := p.call("GET", "/backend/app1/job/dev/"+id, "")
		if status == 404 {
			break
		}
		if status != 200 {
			t.Fatalf("GetBackendJob: %d %s", status, body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job is still there %v after it finished", time.Since(updated))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if gone := time.Since(updated); gone < retention {
		t.Errorf("the job was deleted %v after its last update, before the retention of %v", gone, retention)
	}
	if got := p.must("POST", "/backend/app1/job/dev", `{}`); len(got["jobs"].([]any)) != 0 {
		t.Errorf("ListBackendJobs after the retention = %v, want no jobs", got)
	}
	if got := p.must("POST", "/backend/app1/details", `{}`); got["backendEnvironmentName"] != "dev" {
		t.Errorf("GetBackend after the retention = %v", got)
	}
}
