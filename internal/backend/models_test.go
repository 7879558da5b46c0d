package backend_test

import (
	"strings"
	"testing"

	"github.com/amplifylite/amplifylite/internal/modelgen"
)

func generate(schema string) (string, string, error) {
	r, err := modelgen.Generate(schema, modelgen.Options{})
	return r.Models, r.ModelIntrospectionSchema, err
}

func TestAPIModels_LatestThenStale(t *testing.T) {
	h := newHarness(t, generate)
	h.seed()
	h.job("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"transformSchema":`+jsonString(schema)+`}}`)
	gen := h.job("/backend/app1/api/dev/generateModels", `{"resourceName":"api1"}`)
	if st := h.jobStatus("app1", "dev", gen.str("jobId")); st.str("status") != "COMPLETED" || st.str("operation") != "GenerateBackendAPIModels" {
		t.Fatalf("generation job: %s", st.raw)
	}
	m := h.ok(h.post("/backend/app1/api/dev/getModels", `{"resourceName":"api1"}`))
	if m.str("status") != "LATEST" || !strings.HasPrefix(m.str("models"), "export const schema = {") ||
		!strings.HasSuffix(m.str("models"), "};") || !strings.Contains(m.str("modelIntrospectionSchema"), `"Todo"`) {
		t.Fatalf("GetBackendAPIModels: %s", m.raw)
	}
	h.job("/backend/app1/api/dev", `{"resourceName":"api1","resourceConfig":{"transformSchema":`+jsonString(schema+"type Note @model { id: ID! }\n")+`}}`)
	if m := h.ok(h.post("/backend/app1/api/dev/getModels", `{"resourceName":"api1"}`)); m.str("status") != "STALE" {
		t.Errorf("after a schema change: %s", m.raw)
	}
	// A schema gqlparser accepts but the generator rejects fails the job.
	bad := "type Todo @model @hasMany { id: ID! }\n"
	j := h.job("/backend/app1/api/dev", `{"resourceName":"api1","resourceConfig":{"transformSchema":`+jsonString(bad)+`}}`)
	if st := h.jobStatus("app1", "dev", j.str("jobId")); st.str("status") != "FAILED" || !strings.Contains(st.str("error"), "line 1, column") {
		t.Errorf("invalid directive use: %s", st.raw)
	}
}
