package modelgen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func boolPtr(b bool) *bool { return &b }

// goldenCases lists the fixture schemas; the test fails if there are none.
func goldenCases(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "schemas", "*.graphql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixture schemas in testdata/schemas (err %v)", err)
	}
	return files
}

func TestGenerate_Golden(t *testing.T) {
	variants := []struct {
		name string
		dir  string
		opts Options
	}{
		{"default", filepath.Join("testdata", "expected"), Options{}},
		{"legacy-pk", filepath.Join("testdata", "expected", "legacy-pk"), Options{RespectPrimaryKeyAttributesOnConnectionField: boolPtr(false)}},
	}
	for _, v := range variants {
		for _, file := range goldenCases(t) {
			name := strings.TrimSuffix(filepath.Base(file), ".graphql")
			t.Run(v.name+"/"+name, func(t *testing.T) {
				sdl, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				wantModels := readFixture(t, filepath.Join(v.dir, name+".models.json"))
				wantIntro := readFixture(t, filepath.Join(v.dir, name+".introspection.json"))
				wantPre := readFixture(t, filepath.Join(v.dir, name+".version-preimage.json"))

				got, err := Generate(string(sdl), v.opts)
				if err != nil {
					t.Fatalf("Generate: %v", err)
				}
				if !strings.HasPrefix(got.Models, modelsPrefix) || !strings.HasSuffix(got.Models, ";") {
					t.Fatalf("Models is not `export const schema = ...;`: %.60q", got.Models)
				}
				models := strings.TrimSuffix(strings.TrimPrefix(got.Models, modelsPrefix), ";")
				if d := compareJSONText(models, wantModels); d != "" {
					t.Errorf("models: %s", d)
				}
				if d := compareJSONText(got.ModelIntrospectionSchema, wantIntro); d != "" {
					t.Errorf("introspection: %s", d)
				}
				pre := preimageOf(t, string(sdl), v.opts)
				if pre != wantPre {
					t.Errorf("version preimage differs:\n got %s\nwant %s", pre, wantPre)
				}
			})
		}
	}
}

func readFixture(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return trimNL(b)
}

// preimageOf returns the string whose MD5 is the models' version.
func preimageOf(t *testing.T, sdl string, opts Options) string {
	t.Helper()
	doc, err := parseSchema(sdl)
	if err != nil {
		t.Fatal(err)
	}
	ro := resolvedOptions{respectPK: true, timestamps: true}
	if opts.RespectPrimaryKeyAttributesOnConnectionField != nil {
		ro.respectPK = *opts.RespectPrimaryKeyAttributesOnConnectionField
	}
	protos, err := convertDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	_, pre, err := generateTarget(doc, protos, ro, targetModels)
	if err != nil {
		t.Fatal(err)
	}
	return pre
}

func TestNaming_Vectors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "vectors", "naming.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vec struct {
		Cases []struct {
			Name, Plural, IndexPrefix, Camel, Constant, JoinModel string
		}
	}
	if err := json.Unmarshal(b, &vec); err != nil {
		t.Fatal(err)
	}
	if len(vec.Cases) == 0 {
		t.Fatal("no naming vectors")
	}
	for _, c := range vec.Cases {
		t.Run(c.Name, func(t *testing.T) {
			check := func(what, got, want string) {
				if got != want {
					t.Errorf("%s(%q) = %q, want %q", what, c.Name, got, want)
				}
			}
			check("plural", plural(c.Name), c.Plural)
			check("indexPrefix", indexPrefix(c.Name), c.IndexPrefix)
			check("camelCase", camelCase(c.Name), c.Camel)
			check("constantCase", constantCase(c.Name), c.Constant)
			check("joinModel", graphqlName(ucfirst(c.Name)), c.JoinModel)
		})
	}
}
