package server_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/server"
	"github.com/amplifylite/amplifylite/internal/upgradetest"
)

// startPopulated starts a server whose jobs never finish on their own, with
// upgradetest's every kind of record in each of its partitions, and returns
// it with the sessions of each partition's tokens.
func startPopulated(t *testing.T, opt ...func(*server.Options)) (*inproc, map[string][]string) {
	t.Helper()
	opts := server.DefaultOptions()
	opts.Listen, opts.DataDir, opts.JobDuration, opts.TokenTTL = "127.0.0.1:0", t.TempDir(), 87600*time.Hour, 876000*time.Hour
	opts.Buckets = []string{"configured-bucket"}
	for _, f := range opt {
		f(&opts)
	}
	s, err := server.Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &inproc{t: t, s: s}
	t.Cleanup(func() { s.Close(context.Background()) })
	sessions := map[string][]string{}
	for _, part := range upgradetest.Partitions {
		c := &upgradetest.Client{URL: s.URL, Account: part.Account, Region: part.Region}
		ss, err := c.Populate()
		if err != nil {
			t.Fatal(err)
		}
		sessions[part.Account+"/"+part.Region] = ss
	}
	return p, sessions
}

// reads records every read of every partition.
func reads(t *testing.T, url string, sessions map[string][]string) []upgradetest.Answer {
	t.Helper()
	var all []upgradetest.Answer
	for _, part := range upgradetest.Partitions {
		c := &upgradetest.Client{URL: url, Account: part.Account, Region: part.Region}
		got, err := c.Reads(sessions[part.Account+"/"+part.Region])
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, got...)
	}
	return all
}

func decode(t *testing.T, raw string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("not JSON: %v: %s", err, raw)
	}
	return m
}

// TestState_ExportResetImportReadsIdentically exports a populated state,
// resets it, imports the snapshot and requires every read to answer as
// before.
func TestState_ExportResetImportReadsIdentically(t *testing.T) {
	p, sessions := startPopulated(t)
	// An app cleaned by RemoveAllBackends whose job remains.
	p.must("POST", "/backend", `{"appId":"gone","appName":"g","backendEnvironmentName":"dev"}`)
	p.must("POST", "/_amplifylite/jobs/advance", `{"status":"COMPLETED"}`)
	rm := p.must("POST", "/backend/gone/remove", `{"cleanAmplifyApp":true}`)
	p.must("POST", "/_amplifylite/jobs/advance", `{"status":"COMPLETED"}`)
	goneJob := "/backend/gone/job/dev/" + rm["jobId"].(string)
	_, goneBefore := p.call("GET", goneJob, "")
	before := reads(t, p.s.URL, sessions)

	code, snap := p.call("GET", "/_amplifylite/state", "")
	if code != 200 {
		t.Fatalf("export: %d %s", code, snap)
	}
	doc := decode(t, snap)
	if doc["format"] != "amplifylite-state" || doc["version"] != 1.0 || doc["amplifylite"] == "" || doc["exportedAt"] == nil {
		t.Fatalf("export header: format %v version %v amplifylite %v exportedAt %v", doc["format"], doc["version"], doc["amplifylite"], doc["exportedAt"])
	}
	if strings.Contains(snap, "configured-bucket") {
		t.Error("the export holds the configured (shared) bucket")
	}
	if !strings.Contains(snap, `"introspection":`) {
		t.Error("the export has no generated models as text")
	}

	removed := p.must("POST", "/_amplifylite/reset", "")["removed"].(map[string]any)
	for _, kind := range []string{"apps", "environments", "resources", "jobs", "tokens", "buckets"} {
		if removed[kind].(float64) <= 0 {
			t.Errorf("reset removed no %s: %v", kind, removed)
		}
	}
	if again := p.must("POST", "/_amplifylite/reset", `{}`)["removed"].(map[string]any); again["apps"] != 0.0 || again["jobs"] != 0.0 {
		t.Errorf("a second reset removed %v", again)
	}
	if after := reads(t, p.s.URL, sessions); upgradetest.Diff(before, after) == "" {
		t.Fatal("reads after the reset are the same as before it")
	}
	// The configured bucket stays.
	if code, body := p.call("GET", "/s3Buckets", ""); code != 200 && !strings.Contains(body, "configured-bucket") {
		t.Logf("list buckets after reset: %d %s", code, body)
	}

	imported := p.must("POST", "/_amplifylite/state", snap)
	if imported["mode"] != "merge" {
		t.Errorf("import mode = %v, want merge", imported["mode"])
	}
	for kind, n := range imported["imported"].(map[string]any) {
		if kind != "apps" && n != removed[kind] { // the cleaned app is removed: no app record
			t.Errorf("imported %v %s, the reset removed %v", n, kind, removed[kind])
		}
	}
	if d := upgradetest.Diff(before, reads(t, p.s.URL, sessions)); d != "" {
		t.Errorf("reads after export, reset, import differ:\n%s", d)
	}
	if _, got := p.call("GET", goneJob, ""); got != goneBefore {
		t.Errorf("the cleaned app's job: got %s, want %s", got, goneBefore)
	}
	// Importing the same snapshot again changes nothing; replace gives back
	// the same state too.
	p.must("POST", "/_amplifylite/state", snap)
	p.must("POST", "/_amplifylite/state?mode=replace", snap)
	if d := upgradetest.Diff(before, reads(t, p.s.URL, sessions)); d != "" {
		t.Errorf("reads after re-import differ:\n%s", d)
	}
	// A second export is the first but for its time.
	_, again := p.call("GET", "/_amplifylite/state", "")
	a, b := decode(t, snap), decode(t, again)
	delete(a, "exportedAt")
	delete(b, "exportedAt")
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Error("a second export differs from the first")
	}
}

// TestReset_Scopes narrows a reset to an account, a region and an app and
// checks that nothing else goes.
func TestReset_Scopes(t *testing.T) {
	p, sessions := startPopulated(t)
	partReads := func() (out [][]upgradetest.Answer) {
		for _, part := range upgradetest.Partitions {
			one := map[string][]string{part.Account + "/" + part.Region: sessions[part.Account+"/"+part.Region]}
			c := &upgradetest.Client{URL: p.s.URL, Account: part.Account, Region: part.Region}
			got, err := c.Reads(one[part.Account+"/"+part.Region])
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, got)
		}
		return out
	}
	before := partReads()
	// Partitions: 000000000000/us-east-1, 111122223333/eu-west-1, 000000000000/eu-west-1.
	removed := p.must("POST", "/_amplifylite/reset", `{"account":"111122223333"}`)["removed"].(map[string]any)
	if removed["apps"] != 2.0 || removed["environments"] != 3.0 || removed["tokens"] != 2.0 {
		t.Errorf("reset of one account removed %v", removed)
	}
	after := partReads()
	for i, part := range upgradetest.Partitions {
		d := upgradetest.Diff(before[i], after[i])
		if part.Account == "111122223333" && d == "" {
			t.Error("the account's partition did not change")
		}
		if part.Account != "111122223333" && d != "" {
			t.Errorf("%s/%s changed:\n%s", part.Account, part.Region, d)
		}
	}

	removed = p.must("POST", "/_amplifylite/reset", `{"region":"eu-west-1","appId":"fx-second"}`)["removed"].(map[string]any)
	if removed["apps"] != 1.0 || removed["buckets"] != 0.0 || removed["tokens"] != 0.0 {
		t.Errorf("reset of fx-second in eu-west-1 removed %v", removed)
	}
	code, body := p.call("GET", "/_amplifylite/state?region=eu-west-1", "")
	if code != 200 || strings.Contains(body, `"fx-second"`) || !strings.Contains(body, `"fx-app"`) {
		t.Errorf("state of eu-west-1 after resetting fx-second: %d %.300s", code, body)
	}
	removed = p.must("POST", "/_amplifylite/reset", `{"appId":"fx-app"}`)["removed"].(map[string]any)
	if removed["apps"] != 2.0 || removed["buckets"] != 4.0 { // a storage bucket in each of 2 envs, in 2 partitions
		t.Errorf("reset of fx-app everywhere removed %v", removed)
	}
	for _, bad := range []string{`{"acount":"1"}`, `[`, `{"appId":1}`} {
		if code, body := p.call("POST", "/_amplifylite/reset", bad); code != 400 || !strings.Contains(body, "BadRequestException") {
			t.Errorf("reset %s: %d %s", bad, code, body)
		}
	}
}

// TestReset_RunningJobsGo resets an app with a RUNNING job: the job goes
// with it and the runner does not finish it.
func TestReset_RunningJobsGo(t *testing.T) {
	p, _ := startPopulated(t)
	job := p.must("POST", "/backend", `{"appId":"busy","appName":"b","backendEnvironmentName":"dev"}`)
	removed := p.must("POST", "/_amplifylite/reset", `{"appId":"busy"}`)["removed"].(map[string]any)
	if removed["jobs"] != 1.0 || removed["apps"] != 0.0 {
		t.Errorf("removed %v, want the one job and no app record (it is created when the job completes)", removed)
	}
	if code, _ := p.call("GET", "/backend/busy/job/dev/"+job["jobId"].(string), ""); code != 404 {
		t.Errorf("the reset's running job answers %d", code)
	}
	if n, err := p.s.Runner.RunOnce(context.Background()); err != nil || n != 0 {
		t.Errorf("RunOnce after reset: %d %v", n, err)
	}
}

// TestState_ExportNarrowedAndReplace exports one app of one partition;
// replace then restores exactly that app, keeping everything else.
func TestState_ExportNarrowedAndReplace(t *testing.T) {
	p, sessions := startPopulated(t)
	before := reads(t, p.s.URL, sessions)
	code, snap := p.call("GET", "/_amplifylite/state?account=000000000000&region=us-east-1&appId=fx-second", "")
	if code != 200 {
		t.Fatalf("export: %d %s", code, snap)
	}
	doc := decode(t, snap)
	parts := doc["partitions"].([]any)
	if len(parts) != 1 || len(parts[0].(map[string]any)["apps"].([]any)) != 1 {
		t.Fatalf("narrowed export: %.500s", snap)
	}
	if sc := doc["scope"].(map[string]any); sc["appId"] != "fx-second" || sc["account"] != "000000000000" {
		t.Errorf("scope = %v", sc)
	}
	// Change the app, add another: replace restores the app and keeps the other.
	p.must("POST", "/backend/fx-second/config/update", `{"loginAuthConfig":{"awsCognitoRegion":"eu-north-1"}}`)
	p.must("POST", "/backend", `{"appId":"other","appName":"o","backendEnvironmentName":"dev"}`)
	got := p.must("POST", "/_amplifylite/state?mode=replace", snap)
	if got["mode"] != "replace" || got["imported"].(map[string]any)["apps"] != 1.0 {
		t.Errorf("replace: %v", got)
	}
	if d := upgradetest.Diff(before, reads(t, p.s.URL, sessions)); d != "" {
		t.Errorf("reads after replace differ:\n%s", d)
	}
	if code, _ := p.call("GET", "/_amplifylite/state?appId=other", ""); code != 200 {
		t.Errorf("export of other: %d", code)
	}
	if _, body := p.call("GET", "/_amplifylite/state?appId=other", ""); !strings.Contains(body, `"other"`) {
		t.Error("replace of fx-second's scope removed another app")
	}
	if code, _ := p.call("GET", "/_amplifylite/state?app=x", ""); code != 400 {
		t.Errorf("unknown query parameter: %d", code)
	}
}

// TestState_ImportRefuses checks that a bad document is refused with 400
// and changes nothing.
func TestState_ImportRefuses(t *testing.T) {
	p, sessions := startPopulated(t)
	before := reads(t, p.s.URL, sessions)
	good := `{"format":"amplifylite-state","version":1,"amplifylite":"dev","exportedAt":"2026-01-01T00:00:00Z","partitions":[
		{"account":"000000000000","region":"us-east-1","apps":[{"id":"new","name":"N","created":"2026-01-01T00:00:00Z","environments":[],"jobs":[],"tokens":[]}],"buckets":[]}]}`
	for _, tc := range []struct{ name, query, body, want string }{
		{"newer version", "", strings.Replace(good, `"version":1`, `"version":2`, 1), "newer release"},
		{"newer version with new members", "", `{"format":"amplifylite-state","version":7,"somethingNew":{}}`, "format version 7"},
		{"unknown format", "", strings.Replace(good, `amplifylite-state`, `localstack-state`, 1), `format \"localstack-state\"`},
		{"no format", "", `{"partitions":[]}`, `no \"format\"`},
		{"not JSON", "", `{`, "not a JSON object"},
		{"unknown member", "", strings.Replace(good, `"name":"N"`, `"nmae":"N"`, 1), "unknown field"},
		{"no account", "", strings.Replace(good, `"account":"000000000000",`, ``, 1), "account and region are required"},
		{"bad mode", "?mode=overwrite", good, "merge or replace"},
		{"newer record", "", strings.Replace(good, `"environments":[]`, `"environments":[{"name":"dev","created":"2026-01-01T00:00:00Z","resources":[{"kind":"api","name":"a","v":9,"config":{},"created":"2026-01-01T00:00:00Z"}]}]`, 1), "record version 9"},
		// A valid app after an invalid one: nothing is written.
		{"all or nothing", "", strings.Replace(good, `"jobs":[]`, `"jobs":[{"id":""}]`, 1), "id and status are required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := p.call("POST", "/_amplifylite/state"+tc.query, tc.body)
			if code != 400 || !strings.Contains(body, "BadRequestException") || !strings.Contains(body, tc.want) {
				t.Errorf("%d %s, want 400 saying %q", code, body, tc.want)
			}
		})
	}
	if d := upgradetest.Diff(before, reads(t, p.s.URL, sessions)); d != "" {
		t.Errorf("refused imports changed the state:\n%s", d)
	}
	p.must("POST", "/_amplifylite/state", good)
	if code, _ := p.call("GET", "/_amplifylite/state?appId=new", ""); code != 200 {
		t.Error("the good document was not imported")
	}
}

// TestSeed imports a snapshot at start into an empty store only: a restart
// keeps what changed since.
func TestSeed(t *testing.T) {
	// A configured bucket is server configuration, created when each server
	// starts: none here, so that every read compares.
	p, sessions := startPopulated(t, func(o *server.Options) { o.Buckets = nil })
	want := reads(t, p.s.URL, sessions)
	_, snap := p.call("GET", "/_amplifylite/state", "")
	file := t.TempDir() + "/seed.json"
	if err := os.WriteFile(file, []byte(snap), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	start := func() *inproc {
		opts, err := server.ParseOptions([]string{"--listen", "127.0.0.1:0", "--data-dir", dir, "--job-duration", "87600h", "--token-ttl", "876000h"}, func(k string) string {
			if k == "AMPLIFYLITE_SEED" {
				return file
			}
			return ""
		})
		if err != nil {
			t.Fatal(err)
		}
		s, err := server.Start(context.Background(), opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		return &inproc{t: t, s: s}
	}
	q := start()
	if d := upgradetest.Diff(want, reads(t, q.s.URL, sessions)); d != "" {
		t.Errorf("a seeded server reads differently:\n%s", d)
	}
	q.must("POST", "/_amplifylite/reset", `{"appId":"fx-second"}`)
	changed := reads(t, q.s.URL, sessions)
	q.stop()
	q = start()
	defer q.stop()
	if d := upgradetest.Diff(changed, reads(t, q.s.URL, sessions)); d != "" {
		t.Errorf("a restart imported the seed again:\n%s", d)
	}
	// A bad seed stops the start.
	opts := server.DefaultOptions()
	opts.Listen, opts.DataDir, opts.Seed = "127.0.0.1:0", t.TempDir(), file+".missing"
	if s, err := server.Start(context.Background(), opts, nil); err == nil {
		s.Close(context.Background())
		t.Error("a missing seed file started a server")
	}
}

// TestStateCommand exports a stopped server's state and imports it into
// another data directory, which then reads identically.
func TestStateCommand(t *testing.T) {
	// A configured bucket is server configuration, created when each server
	// starts: none here, so that every read compares.
	p, sessions := startPopulated(t, func(o *server.Options) { o.Buckets = nil })
	want := reads(t, p.s.URL, sessions)
	dir := t.TempDir()
	// A data dir with the populated state (imported offline), exported offline.
	fromDir := t.TempDir()
	_, snap := p.call("GET", "/_amplifylite/state", "")
	if code, out := run(t, nil, "state", "import", "--data-dir", fromDir, writeFile(t, snap)); code != 0 {
		t.Fatalf("state import: %d %s", code, out)
	}
	file := filepath.Join(t.TempDir(), "snap.json")
	if code, out := run(t, map[string]string{"AMPLIFYLITE_DATA_DIR": fromDir}, "state", "export", "--out", file); code != 0 {
		t.Fatalf("state export: %d %s", code, out)
	}
	if code, out := run(t, nil, "state", "import", "--data-dir", dir, "--mode", "replace", file); code != 0 || !strings.Contains(out, "imported") {
		t.Fatalf("state import: %d %s", code, out)
	}
	opts := server.DefaultOptions()
	opts.Listen, opts.DataDir, opts.JobDuration, opts.TokenTTL = "127.0.0.1:0", dir, 87600*time.Hour, 876000*time.Hour
	s, err := server.Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if d := upgradetest.Diff(want, reads(t, s.URL, sessions)); d != "" {
		t.Errorf("state exported and imported offline reads differently:\n%s", d)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"state"}, 2, "usage"},
		{[]string{"state", "export", "--data-dir", t.TempDir()}, 1, "no database"},
		{[]string{"state", "import", "--data-dir", dir}, 2, "usage"},
		{[]string{"state", "import", "--data-dir", dir, "--mode", "overwrite", file}, 1, "merge or replace"},
		{[]string{"state", "import", "--data-dir", dir, writeFile(t, `{"format":"amplifylite-state","version":2}`)}, 1, "newer release"},
		{[]string{"state", "export", "--data-dir", ":memory:"}, 2, "in-memory"},
	} {
		if code, out := run(t, nil, tc.args...); code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("%v: %d %s, want %d saying %q", tc.args, code, out, tc.code, tc.want)
		}
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "snapshot.json")
	if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}
