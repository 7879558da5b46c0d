package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestModelgen_SameBytesAsGetBackendAPIModels: `amplifylite modelgen` writes
// exactly the models and introspection schema GetBackendAPIModels answers
// after GenerateBackendAPIModels for the same transform schema.
func TestModelgen_SameBytesAsGetBackendAPIModels(t *testing.T) {
	schema := "type Todo @model @auth(rules: [{allow: owner}]) {\n  id: ID!\n  name: String!\n  tags: [Tag] @manyToMany(relationName: \"TodoTags\")\n}\n" +
		"type Tag @model {\n  id: ID!\n  label: String\n  todos: [Todo] @manyToMany(relationName: \"TodoTags\")\n}\nenum Priority { LOW HIGH }\n"
	p := startInproc(t, t.TempDir())
	defer p.stop()
	quoted, _ := json.Marshal(schema)
	p.job("/backend", `{"appId":"app1","appName":"app1","backendEnvironmentName":"dev"}`)
	p.job("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"apiName":"api1","transformSchema":`+string(quoted)+`}}`)
	p.job("/backend/app1/api/dev/generateModels", `{"resourceName":"api1"}`)
	got := p.must("POST", "/backend/app1/api/dev/getModels", `{"resourceName":"api1"}`)

	dir := t.TempDir()
	in := filepath.Join(dir, "schema.graphql")
	if err := os.WriteFile(in, []byte(schema), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out", "models")
	if code, msg := run(t, nil, "modelgen", "--out", out, in); code != 0 {
		t.Fatalf("exit %d: %s", code, msg)
	}
	for file, member := range map[string]string{"schema.js": "models", "model-introspection.json": "modelIntrospectionSchema"} {
		b, err := os.ReadFile(filepath.Join(out, file))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := got[member].(string)
		if want == "" || string(b) != want {
			t.Errorf("%s (%d bytes) differs from GetBackendAPIModels' %s (%d bytes)", file, len(b), member, len(want))
		}
	}
}

// TestModelgen_Errors: an invalid schema exits 1 with the reason the job
// would give and writes nothing; usage and I/O errors exit 2.
func TestModelgen_Errors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.graphql")
	if err := os.WriteFile(bad, []byte("type Todo @model {\n  id: ID!\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"modelgen", "--out", out, bad}, 1, "Invalid transformSchema: line 3"},
		{[]string{"modelgen", "--out", out}, 2, "usage: amplifylite modelgen"},
		{[]string{"modelgen", "--out", out, bad, bad}, 2, "usage: amplifylite modelgen"},
		{[]string{"modelgen", "--out", out, filepath.Join(dir, "missing.graphql")}, 2, "no such file"},
		{[]string{"modelgen", "--nope", bad}, 2, "flag provided but not defined"},
	} {
		code, msg := run(t, nil, tt.args...)
		if code != tt.code || !strings.Contains(msg, tt.msg) {
			t.Errorf("amplifylite %s: exit %d %q, want %d with %q", strings.Join(tt.args, " "), code, msg, tt.code, tt.msg)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed run created %s (%v)", out, err)
	}
}
