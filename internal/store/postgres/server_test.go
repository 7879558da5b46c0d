package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/server"
)

// replica is one amplifylite server on the shared database.
type replica struct{ *server.Server }

func startReplica(t *testing.T, dsn string, jobDuration time.Duration) replica {
	t.Helper()
	opts := server.DefaultOptions()
	opts.Listen = "127.0.0.1:0"
	opts.DatabaseURL = dsn
	opts.JobDuration = jobDuration
	s, err := server.Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return replica{s}
}

func (r replica) call(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, r.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s %s: %d %q", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, m
}

// job returns the job's status and update time.
func (r replica) job(t *testing.T, app, env, id string) (status, updated string) {
	t.Helper()
	code, m := r.call(t, "GET", fmt.Sprintf("/backend/%s/job/%s/%s", app, env, id), "")
	if code != 200 {
		t.Fatalf("GetBackendJob %s: %d %v", id, code, m)
	}
	return m["status"].(string), m["updateTime"].(string)
}

func createBackend(app string) string {
	return fmt.Sprintf(`{"appId":%q,"appName":"name-%s","backendEnvironmentName":"dev"}`, app, app)
}

// TestServer_Replicas runs two servers on one PostgreSQL database.
func TestServer_Replicas(t *testing.T) {
	t.Run("ReadsSeeTheOtherReplicasWrites", func(t *testing.T) {
		dsn, _ := createSchema(t)
		a, b := startReplica(t, dsn, 0), startReplica(t, dsn, 0)
		wait := func(r replica, env, id string) {
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) {
				if s, _ := r.job(t, "shared", env, id); s == "COMPLETED" {
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
			t.Fatalf("job %s did not complete", id)
		}
		_, m := a.call(t, "POST", "/backend", `{"appId":"shared","appName":"n","backendEnvironmentName":"dev"}`)
		wait(a, "dev", m["jobId"].(string))
		// b reads (a server with a private store would now cache this answer) ...
		if code, m := b.call(t, "POST", "/backend/shared/details", `{}`); code != 200 || len(m["backendEnvironmentList"].([]any)) != 1 {
			t.Fatalf("GetBackend on b: %d %v", code, m)
		}
		// ... a writes, and b must see it at once.
		_, m = a.call(t, "POST", "/backend", `{"appId":"shared","appName":"n","backendEnvironmentName":"prod"}`)
		wait(a, "prod", m["jobId"].(string))
		if code, m := b.call(t, "POST", "/backend/shared/details", `{}`); code != 200 || len(m["backendEnvironmentList"].([]any)) != 2 {
			t.Errorf("b after a's write: %d %v", code, m)
		}
	})
	t.Run("SharedStateAndJobsFinishedOnce", func(t *testing.T) {
		dsn, schema := createSchema(t)
		rs := [2]replica{startReplica(t, dsn, 0), startReplica(t, dsn, 0)}
		for i, r := range rs {
			if code, m := r.call(t, "GET", "/_amplifylite/health", ""); code != 200 || m["store"] != "postgres" {
				t.Errorf("replica %d health: %d %v", i, code, m)
			}
		}
		countJobUpdates(t, schema)

		// Jobs created on both replicas while runners on both (three each,
		// besides the servers' own) race to finish them.
		const apps = 20
		ids := make([]string, apps)
		stop := make(chan struct{})
		var runners sync.WaitGroup
		for i := range 6 {
			r := rs[i%2]
			runners.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := r.Runner.RunOnce(context.Background()); err != nil {
						t.Errorf("RunOnce: %v", err)
						return
					}
				}
			})
		}
		var clients sync.WaitGroup
		for i := range apps {
			clients.Go(func() {
				code, m := rs[i%2].call(t, "POST", "/backend", createBackend(fmt.Sprintf("app%d", i)))
				if code != 200 {
					t.Errorf("CreateBackend app%d: %d %v", i, code, m)
					return
				}
				ids[i] = m["jobId"].(string)
			})
		}
		clients.Wait()
		time.Sleep(50 * time.Millisecond)
		close(stop)
		runners.Wait()
		if t.Failed() {
			return
		}

		for i, id := range ids {
			app := fmt.Sprintf("app%d", i)
			// Seen the same through either replica, created on one.
			s0, u0 := rs[0].job(t, app, "dev", id)
			s1, u1 := rs[1].job(t, app, "dev", id)
			if s0 != "COMPLETED" || s0 != s1 || u0 != u1 {
				t.Errorf("job %s: %s at %s on replica 0, %s at %s on replica 1; want COMPLETED on both, once", id, s0, u0, s1, u1)
			}
			other := rs[(i+1)%2]
			if code, m := other.call(t, "POST", "/backend/"+app+"/details", `{}`); code != 200 || m["appName"] != "name-"+app {
				t.Errorf("GetBackend %s on the other replica: %d %v", app, code, m)
			}
		}
		updates := jobUpdates(t, schema)
		for _, id := range ids {
			if got := updates[id]; got != "COMPLETED" {
				t.Errorf("job %s was updated as [%s], want once to COMPLETED", id, got)
			}
		}
	})
	t.Run("PendingJobAcrossReplicas", func(t *testing.T) {
		dsn := newSchema(t)
		rs := [2]replica{startReplica(t, dsn, time.Hour), startReplica(t, dsn, time.Hour)}
		code, m := rs[0].call(t, "POST", "/backend", createBackend("app1"))
		if code != 200 || m["status"] != "RUNNING" {
			t.Fatalf("CreateBackend: %d %v", code, m)
		}
		code, m = rs[1].call(t, "POST", "/backend", createBackend("app1"))
		if msg, _ := m["message"].(string); code != 400 || m["__type"] != "BadRequestException" || !strings.Contains(msg, "already a pending job") {
			t.Errorf("second job through the other replica: %d %v, want 400 pending job", code, m)
		}
		// Concurrent requests on both replicas for one environment: one job.
		var mu sync.Mutex
		codes := map[int]int{}
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Go(func() {
				code, _ := rs[i%2].call(t, "POST", "/backend", createBackend("app2"))
				mu.Lock()
				codes[code]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if codes[200] != 1 || codes[400] != 11 {
			t.Errorf("12 concurrent CreateBackend on two replicas answered %v, want one 200 and eleven 400", codes)
		}
	})
}

// countJobUpdates records every update of a job row in the schema's
// test_job_updates table (a trigger: the servers cannot tell).
func countJobUpdates(t *testing.T, schema string) {
	t.Helper()
	_, pool := testServer(t)
	_, err := pool.Exec(context.Background(), strings.ReplaceAll(`
		CREATE TABLE S.test_job_updates (job_id text, status text);
		CREATE FUNCTION S.test_job_update() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN INSERT INTO S.test_job_updates VALUES (NEW.job_id, NEW.status); RETURN NULL; END $$;
		CREATE TRIGGER test_job_updates AFTER UPDATE ON S.jobs FOR EACH ROW EXECUTE FUNCTION S.test_job_update();`,
		"S.", schema+"."))
	if err != nil {
		t.Fatal(err)
	}
}

// jobUpdates returns the statuses each job was updated to, in order.
func jobUpdates(t *testing.T, schema string) map[string]string {
	t.Helper()
	_, pool := testServer(t)
	rows, err := pool.Query(context.Background(),
		`SELECT job_id, string_agg(status, ' ' ORDER BY ctid) FROM `+schema+`.test_job_updates GROUP BY job_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, statuses string
		if err := rows.Scan(&id, &statuses); err != nil {
			t.Fatal(err)
		}
		out[id] = statuses
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
