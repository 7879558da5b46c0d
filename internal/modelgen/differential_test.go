package modelgen

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestGenerate_Differential compares Generate with the pinned official
// generator on seeded random schemas. MODELGEN_DIFF_N sets how many
// (default 300), MODELGEN_DIFF_SEED the first seed (default 1). A
// disagreement is shrunk to a minimal schema before it is reported.
func TestGenerate_Differential(t *testing.T) {
	ref := startReference(t)
	n := envInt(t, "MODELGEN_DIFF_N", 300)
	seed0 := envInt(t, "MODELGEN_DIFF_SEED", 1)
	variants := []Options{
		{},
		{RespectPrimaryKeyAttributesOnConnectionField: boolPtr(false)},
		{AddTimestampFields: boolPtr(false)},
	}
	agreedErrors, failures := 0, 0
	withExt, withExtErrors := 0, 0 // schemas with extend definitions
	for i := 0; i < n; i++ {
		seed := int64(seed0 + i)
		opts := variants[0]
		if i%5 == 3 {
			opts = variants[1]
		} else if i%11 == 7 {
			opts = variants[2]
		}
		s := randomSchema(seed)
		d, err := disagreement(ref, s.String(), opts)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		ext := strings.Contains(s.String(), "extend ")
		if d == "" {
			_, gerr := Generate(s.String(), opts)
			if gerr != nil {
				agreedErrors++
			}
			if ext {
				withExt++
				if gerr != nil {
					withExtErrors++
				}
			}
			continue
		}
		failures++
		min, md := shrink(t, ref, s, opts, d)
		t.Errorf("seed %d (options %s) disagrees with the official generator: %s\nminimal schema:\n%s", seed, optString(opts), md, min)
		if failures >= 3 {
			t.Fatalf("stopping after %d disagreements", failures)
		}
	}
	t.Logf("%d random schemas compared (%d rejected by both generators); %d of them with extend definitions agreed (%d rejected by both)", n, agreedErrors, withExt, withExtErrors)
}

func optString(o Options) string {
	s := "{"
	if o.RespectPrimaryKeyAttributesOnConnectionField != nil {
		s += fmt.Sprintf("respectPrimaryKeyAttributesOnConnectionField: %v", *o.RespectPrimaryKeyAttributesOnConnectionField)
	}
	if o.AddTimestampFields != nil {
		s += fmt.Sprintf("addTimestampFields: %v", *o.AddTimestampFields)
	}
	return s + "}"
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return n
}

// disagreement returns "" when Generate and the official generator agree on
// schema: both reject it, or both give identical texts.
func disagreement(ref *reference, schema string, opts Options) (string, error) {
	want, err := ref.generate(schema, opts)
	if err != nil {
		return "", err
	}
	got, gerr := Generate(schema, opts)
	switch {
	case want.HasError && gerr != nil:
		return "", nil
	case want.HasError:
		return "official generator rejects it (" + want.Error + "), Generate does not", nil
	case gerr != nil:
		return "Generate rejects it (" + gerr.Error() + "), the official generator does not", nil
	}
	if d := compareJSONText(stripModels(got.Models), stripModels(want.Models)); d != "" {
		return "models: " + d, nil
	}
	if got.Models != want.Models {
		return "models text differs outside the JSON", nil
	}
	if d := compareJSONText(got.ModelIntrospectionSchema, want.Introspection); d != "" {
		return "introspection: " + d, nil
	}
	return "", nil
}

// disagreementKind is what kind of disagreement d is: shrinking keeps it.
func disagreementKind(d string) string {
	for i := 0; i < len(d); i++ {
		if d[i] == ':' || d[i] == '(' {
			return d[:i]
		}
	}
	return d
}

func stripModels(s string) string {
	if len(s) > len(modelsPrefix)+1 && s[:len(modelsPrefix)] == modelsPrefix && s[len(s)-1] == ';' {
		return s[len(modelsPrefix) : len(s)-1]
	}
	return s
}

// shrink reduces s while it still disagrees; it returns the smallest schema
// found and its disagreement.
func shrink(t *testing.T, ref *reference, s *rSchema, opts Options, d string) (string, string) {
	cur, curD := s, d
	for steps := 0; steps < 2000; {
		progressed := false
		for _, c := range cur.shrinkCandidates() {
			steps++
			cd, err := disagreement(ref, c.String(), opts)
			if err != nil {
				t.Fatalf("shrink: %v", err)
			}
			if cd != "" && disagreementKind(cd) == disagreementKind(d) {
				cur, curD, progressed = c, cd, true
				break
			}
		}
		if !progressed {
			break
		}
	}
	return cur.String(), curD
}
