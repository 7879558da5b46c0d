package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles cmd/amplifylite once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "amplifylite")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/amplifylite/amplifylite/cmd/amplifylite")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// proc is a running amplifylite binary.
type proc struct {
	cmd *exec.Cmd
	url string
}

func startBinary(t *testing.T, bin, dataDir string, args ...string) *proc {
	t.Helper()
	addr := freePort(t)
	cmd := exec.Command(bin, append([]string{"serve", "--listen", addr, "--data-dir", dataDir, "--log-level", "warn"}, args...)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, url: "http://" + addr}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(p.url + "/_amplifylite/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("server did not become healthy")
	return nil
}

func (p *proc) call(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, p.url+path, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s %s: %q", method, path, raw)
	}
	return resp.StatusCode, m
}

// waitJob polls a job, as clients do, until it leaves RUNNING.
func (p *proc) waitJob(t *testing.T, app, env, id string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		status, m := p.call(t, "GET", fmt.Sprintf("/backend/%s/job/%s/%s", app, env, id), "")
		if status != 200 {
			t.Fatalf("GetBackendJob: %d %v", status, m)
		}
		if s := m["status"].(string); s != "RUNNING" {
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("job still RUNNING")
	return ""
}

// TestRestart_KeepsAcknowledgedStateAndFinishesJobs stops the server while a
// job is RUNNING — gracefully and with SIGKILL — and checks that a restart on
// the same data dir has every acknowledged change and completes the job.
func TestRestart_KeepsAcknowledgedStateAndFinishesJobs(t *testing.T) {
	bin := buildBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			p := startBinary(t, bin, dir, "--job-duration", "300ms")
			if s, m := p.call(t, "POST", "/backend", `{"appId":"app1","appName":"n","backendEnvironmentName":"dev"}`); s != 200 {
				t.Fatalf("CreateBackend: %d %v", s, m)
			}
			if p.waitJob(t, "app1", "dev", jobIDs(t, p)[0]) != "COMPLETED" {
				t.Fatal("CreateBackend did not complete")
			}
			_, tok := p.call(t, "POST", "/backend/app1/challenge", "")
			// A job that is certainly still RUNNING when the server stops.
			_, job := p.call(t, "POST", "/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"apiName":"x"}}`)
			if job["status"] != "RUNNING" {
				t.Fatalf("CreateBackendAPI: %v", job)
			}
			p.cmd.Process.Signal(sig)
			err := p.cmd.Wait()
			if sig == syscall.SIGTERM && err != nil {
				t.Fatalf("graceful stop exited with %v", err)
			}

			p = startBinary(t, bin, dir, "--job-duration", "300ms")
			if s, m := p.call(t, "GET", "/backend/app1/challenge/"+tok["sessionId"].(string), ""); s != 200 || m["challengeCode"] != tok["challengeCode"] {
				t.Errorf("token after restart: %d %v", s, m)
			}
			if got := p.waitJob(t, "app1", "dev", job["jobId"].(string)); got != "COMPLETED" {
				t.Fatalf("job after restart: %s", got)
			}
			if s, m := p.call(t, "POST", "/backend/app1/api/dev/details", `{"resourceName":"api1"}`); s != 200 {
				t.Errorf("the job's effect after restart: %d %v", s, m)
			}
			p.cmd.Process.Signal(syscall.SIGTERM)
			if err := p.cmd.Wait(); err != nil {
				t.Errorf("exit: %v", err)
			}
		})
	}
}

func jobIDs(t *testing.T, p *proc) []string {
	_, m := p.call(t, "POST", "/backend/app1/job/dev", `{}`)
	var ids []string
	for _, j := range m["jobs"].([]any) {
		ids = append(ids, j.(map[string]any)["jobId"].(string))
	}
	return ids
}

// TestRestart_SIGKILLUnderConcurrentWrites kills the server with SIGKILL while
// 32 clients write (group commits in flight, batches committed and not yet
// synced, others queued) and checks that every write answered 200 before the
// kill is there after a restart. A request cut off by the kill may or may not be.
func TestRestart_SIGKILLUnderConcurrentWrites(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	p := startBinary(t, bin, dir)
	if s, m := p.call(t, "POST", "/backend", `{"appId":"app1","appName":"n","backendEnvironmentName":"dev"}`); s != 200 {
		t.Fatalf("CreateBackend: %d %v", s, m)
	}
	if p.waitJob(t, "app1", "dev", jobIDs(t, p)[0]) != "COMPLETED" {
		t.Fatal("CreateBackend did not complete")
	}
	type token struct{ session, code string }
	var mu sync.Mutex
	var acked []token
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for range 32 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Post(p.url+"/backend/app1/challenge", "application/json", strings.NewReader("{}"))
				if err != nil {
					return // the server is gone
				}
				var m map[string]any
				err = json.NewDecoder(resp.Body).Decode(&m)
				resp.Body.Close()
				if err != nil {
					continue // cut off mid-answer
				}
				if resp.StatusCode != 200 {
					t.Errorf("CreateToken: %d %v", resp.StatusCode, m)
					return
				}
				mu.Lock()
				acked = append(acked, token{m["sessionId"].(string), m["challengeCode"].(string)})
				mu.Unlock()
			}
		})
	}
	time.Sleep(400 * time.Millisecond)
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) < 50 {
		t.Fatalf("only %d writes answered before the kill", len(acked))
	}

	p = startBinary(t, bin, dir)
	for _, tok := range acked {
		if s, m := p.call(t, "GET", "/backend/app1/challenge/"+tok.session, ""); s != 200 || m["challengeCode"] != tok.code {
			t.Fatalf("token %s answered before the kill: %d %v after restart (%d acknowledged)", tok.session, s, m, len(acked))
		}
	}
	t.Logf("%d acknowledged writes all present after SIGKILL and restart", len(acked))
}
