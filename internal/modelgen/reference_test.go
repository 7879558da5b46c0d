package modelgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/amplifylite/amplifylite/internal/testenv"
)

// reference runs the pinned official generator in one long-lived node process
// (testdata/ref/driver.mjs).
type reference struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *bufio.Reader
	mu     sync.Mutex
	nextID int
}

type refResult struct {
	ID            int    `json:"id"`
	Models        string `json:"models"`
	Introspection string `json:"introspection"`
	Error         string `json:"error"`
	HasError      bool   `json:"-"`
}

// refDir is where scripts/deps.d/20-modelgen-ref.sh installs the generator.
func refDir(t testing.TB) string {
	if d := os.Getenv("MODELGEN_REF_DIR"); d != "" {
		return d
	}
	d, err := filepath.Abs(filepath.Join("testdata", "ref"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// startReference starts the driver. When node or the pinned generator is
// missing it skips the test on a plain go test, and fails it under CI or when
// MODELGEN_REF_DIR points at an install (make test sets it).
func startReference(t testing.TB) *reference {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		testenv.Missing(t, "MODELGEN_REF_DIR", "node is not installed; the differential test needs it (run scripts/deps.d/20-modelgen-ref.sh): %v", err)
	}
	dir := refDir(t)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-amplify", "graphql-generator", "package.json")); err != nil {
		testenv.Missing(t, "MODELGEN_REF_DIR", "the pinned official generator is not installed in %s (run scripts/deps.d/20-modelgen-ref.sh): %v", dir, err)
	}
	driver, _ := filepath.Abs(filepath.Join("testdata", "ref", "driver.mjs"))
	cmd := exec.Command(node, driver)
	cmd.Env = append(os.Environ(), "MODELGEN_REF_DIR="+dir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node: %v", err)
	}
	r := &reference{cmd: cmd, stdin: stdin, out: bufio.NewReaderSize(stdout, 1<<20)}
	t.Cleanup(r.close)
	line, err := r.out.ReadBytes('\n')
	if err != nil {
		t.Fatalf("reference driver did not start: %v", err)
	}
	var hello struct {
		Ready    bool              `json:"ready"`
		Error    string            `json:"error"`
		Versions map[string]string `json:"versions"`
	}
	if err := json.Unmarshal(line, &hello); err != nil || !hello.Ready {
		t.Fatalf("reference driver not ready: %s %v", line, err)
	}
	want := map[string]string{"@aws-amplify/graphql-generator": "0.5.4", "@aws-amplify/appsync-modelgen-plugin": "2.15.3", "graphql": "15.11.0"}
	for k, v := range want {
		if hello.Versions[k] != v {
			t.Fatalf("reference generator %s is %s, want %s (reinstall with scripts/deps.d/20-modelgen-ref.sh)", k, hello.Versions[k], v)
		}
	}
	return r
}

func (r *reference) close() {
	r.stdin.Close()
	_ = r.cmd.Wait()
}

// generate runs the official generator on one schema.
func (r *reference) generate(schema string, opts Options) (refResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nextID++
	o := map[string]any{}
	if opts.RespectPrimaryKeyAttributesOnConnectionField != nil {
		o["respectPrimaryKeyAttributesOnConnectionField"] = *opts.RespectPrimaryKeyAttributesOnConnectionField
	}
	if opts.AddTimestampFields != nil {
		o["addTimestampFields"] = *opts.AddTimestampFields
	}
	req, _ := json.Marshal(map[string]any{"id": r.nextID, "schema": schema, "options": o})
	if _, err := r.stdin.Write(append(req, '\n')); err != nil {
		return refResult{}, fmt.Errorf("write to reference: %w", err)
	}
	line, err := r.out.ReadBytes('\n')
	if err != nil {
		return refResult{}, fmt.Errorf("read from reference: %w", err)
	}
	var res refResult
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return refResult{}, fmt.Errorf("bad reply %.200s: %w", line, err)
	}
	if err := json.Unmarshal(line, &res); err != nil {
		return refResult{}, err
	}
	_, res.HasError = raw["error"]
	if res.ID != r.nextID {
		return refResult{}, fmt.Errorf("reply for request %d, want %d", res.ID, r.nextID)
	}
	return res, nil
}
