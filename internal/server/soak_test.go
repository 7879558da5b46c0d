package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// soakClient talks to a server that may be killed at any moment.
type soakClient struct {
	t   *testing.T
	url string
}

// try sends a request; ok is false when no answer came (the server died).
func (c *soakClient) try(method, path, body string) (status int, m map[string]any, ok bool) {
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, false
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, false
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		c.t.Fatalf("%s %s: %d %q", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, m, true
}

func (c *soakClient) must(method, path, body string) (int, map[string]any) {
	c.t.Helper()
	status, m, ok := c.try(method, path, body)
	if !ok {
		c.t.Fatalf("%s %s: no answer", method, path)
	}
	if status >= 500 {
		c.t.Fatalf("%s %s: %d %v", method, path, status, m)
	}
	return status, m
}

// settle waits until the app has no RUNNING job (they finish at once).
func (c *soakClient) settle(app string) {
	c.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		status, m := c.must("POST", "/backend/"+app+"/job/dev", `{"status":"RUNNING"}`)
		if status == 404 || len(m["jobs"].([]any)) == 0 {
			return
		}
	}
	c.t.Fatalf("%s: jobs still RUNNING", app)
}

// TestSoak_KilledMidSequence runs a random sequence of writes against the
// binary, kills it with SIGKILL at random points (often with a request in
// flight), restarts it on the same data dir and compares every read with a
// model of what was acknowledged: nothing acknowledged is lost, nothing
// refused appears, and the first reads after each restart answer.
// AMPLIFYLITE_SOAK_SEED and AMPLIFYLITE_SOAK_OPS replay or lengthen a run.
func TestSoak_KilledMidSequence(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("AMPLIFYLITE_SOAK_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	ops := 120
	if s := os.Getenv("AMPLIFYLITE_SOAK_OPS"); s != "" {
		ops, _ = strconv.Atoi(s)
	}
	t.Logf("AMPLIFYLITE_SOAK_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	bin := buildBinary(t)
	dir := t.TempDir()
	p := startBinary(t, bin, dir, "--job-duration", "0")
	c := &soakClient{t: t, url: p.url}

	apps := map[string]bool{}          // acknowledged: exists (true) or removed (false)
	tokens := map[string][2]string{}   // session → (app, code), acknowledged
	gone := map[string]string{}        // session → app: acknowledged deletes
	uncertain := map[string]struct{}{} // apps whose creation or removal got no answer
	var appIDs []string

	check := func() {
		t.Helper()
		for app, exists := range apps {
			if _, u := uncertain[app]; u {
				continue
			}
			status, m := c.must("POST", "/backend/"+app+"/details", `{}`)
			if exists && (status != 200 || fmt.Sprint(m["backendEnvironmentList"]) != "[dev]") {
				t.Fatalf("acknowledged app %s: %d %v", app, status, m)
			}
			if !exists && status != 404 {
				t.Fatalf("removed app %s: %d %v", app, status, m)
			}
		}
		for session, tc := range tokens {
			if _, u := uncertain[tc[0]]; u || !apps[tc[0]] {
				continue
			}
			status, m := c.must("GET", "/backend/"+tc[0]+"/challenge/"+session, "")
			if status != 200 || m["challengeCode"] != tc[1] {
				t.Fatalf("acknowledged token %s of %s: %d %v", session, tc[0], status, m)
			}
		}
		for session, app := range gone {
			if status, m := c.must("GET", "/backend/"+app+"/challenge/"+session, ""); status != 404 {
				t.Fatalf("deleted token %s: %d %v", session, status, m)
			}
		}
	}
	restart := func() {
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
		p = startBinary(t, bin, dir, "--job-duration", "0")
		c.url = p.url
		// The first reads of the new process (before any write): jobs
		// acknowledged just before the kill finish, then everything reads back.
		for app := range apps {
			c.settle(app)
		}
		check()
		// Resolve what got no answer: whatever the store says now is the truth,
		// and it must stay so.
		for app := range uncertain {
			c.settle(app)
			status, _ := c.must("POST", "/backend/"+app+"/details", `{}`)
			apps[app] = status == 200
			delete(uncertain, app)
		}
	}

	for i := range ops {
		kill := rng.IntN(8) == 0
		var path, body, app string
		switch op := rng.IntN(10); {
		case op < 3 || len(appIDs) == 0: // create an app
			app = fmt.Sprintf("app%d", i)
			appIDs = append(appIDs, app)
			path, body = "/backend", `{"appId":"`+app+`","appName":"n","backendEnvironmentName":"dev"}`
		case op < 7: // a token
			app = appIDs[rng.IntN(len(appIDs))]
			path = "/backend/" + app + "/challenge"
		case op < 9: // delete a token
			for s, tc := range tokens {
				app, path = tc[0], "/backend/"+tc[0]+"/challenge/"+s+"/remove"
				break
			}
			if path == "" {
				continue
			}
		default: // remove an app with its tokens
			app = appIDs[rng.IntN(len(appIDs))]
			path, body = "/backend/"+app+"/remove", `{"cleanAmplifyApp":true}`
		}
		if _, u := uncertain[app]; u {
			continue
		}
		type answer struct {
			status int
			m      map[string]any
			ok     bool
		}
		done := make(chan answer, 1)
		go func() {
			status, m, ok := c.try("POST", path, body)
			done <- answer{status, m, ok}
		}()
		if kill {
			time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
			p.cmd.Process.Signal(syscall.SIGKILL)
		}
		a := <-done
		if a.ok && a.status >= 500 {
			t.Fatalf("%s: %d %v", path, a.status, a.m)
		}
		acked := a.ok && a.status == 200
		switch {
		case !a.ok && (path == "/backend" || strings.HasSuffix(path, "/remove") && body != ""):
			uncertain[app] = struct{}{}
		case !acked:
			// refused or unanswered: a token created without an answer is unknown
			// to the client and not tracked; a delete without an answer is
			// resolved below by reading.
			if !a.ok && strings.Contains(path, "/challenge/") {
				session := strings.Split(path, "/")[4]
				delete(tokens, session)
				if kill {
					restart()
					kill = false
				}
				if status, _ := c.must("GET", "/backend/"+app+"/challenge/"+session, ""); status == 404 {
					gone[session] = app
				} else {
					t.Logf("an unanswered delete of %s did not happen; tracked no more", session)
				}
			}
		case path == "/backend":
			apps[app] = true
		case strings.HasSuffix(path, "/challenge"):
			tokens[a.m["sessionId"].(string)] = [2]string{app, a.m["challengeCode"].(string)}
		case strings.Contains(path, "/challenge/"):
			session := strings.Split(path, "/")[4]
			delete(tokens, session)
			gone[session] = app
		default: // removed with its tokens
			apps[app] = false
			for s, tc := range tokens {
				if tc[0] == app {
					delete(tokens, s)
					gone[s] = app
				}
			}
		}
		if kill {
			restart()
		} else if acked && (path == "/backend" || strings.HasSuffix(path, "/remove") && body != "") {
			c.settle(app)
		}
		if i%20 == 0 {
			check()
		}
	}
	restart()
	check()
}
