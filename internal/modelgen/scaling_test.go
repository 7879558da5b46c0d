package modelgen

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestGenerate_ManyToManyGolden")

// manyToManySchema returns n @model types T0..Tn-1 where T0 is a hub joined
// to every other type by @manyToMany(relationName: "Ri") (n-1 join models),
// and every tenth type also belongs to T0 through @hasMany/@belongsTo. The
// hub has about 1.1n relation fields, the shape that made relation
// processing superlinear. About 150 bytes a type.
func manyToManySchema(n int) string {
	var b strings.Builder
	b.Grow(150 * n)
	b.WriteString("type T0 @model {\n  id: ID!\n  name: String!\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  t%d: [T%d] @manyToMany(relationName: \"R%d\")\n", i, i, i)
		if i%10 == 0 {
			fmt.Fprintf(&b, "  c%d: [T%d] @hasMany\n", i, i)
		}
	}
	b.WriteString("}\n\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "type T%d @model {\n  id: ID!\n  name: String!\n  hub: [T0] @manyToMany(relationName: \"R%d\")\n", i, i)
		if i%10 == 0 {
			b.WriteString("  owner: T0 @belongsTo\n")
		}
		b.WriteString("}\n\n")
	}
	return b.String()
}

// belongsToHubSchema returns n @model types: C belongs to each of P1..Pn-1
// through a field with an @index, and each Pi has many C by that index. C has
// about 2n fields, most of them relation fields.
func belongsToHubSchema(n int) string {
	var b strings.Builder
	b.Grow(170 * n)
	b.WriteString("type C @model {\n  id: ID!\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  p%dId: ID @index(name: \"byP%d\")\n  p%d: P%d @belongsTo(fields: [\"p%dId\"])\n", i, i, i, i, i)
	}
	b.WriteString("}\n\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "type P%d @model {\n  id: ID!\n  cs: [C] @hasMany(indexName: \"byP%d\", fields: [\"id\"])\n}\n\n", i, i)
	}
	return b.String()
}

// TestGenerate_ManyToManyGolden pins both outputs for a 50-type
// manyToManySchema, for both primary-key options, to the files the generator
// wrote before relation lookups were indexed (-update rewrites them).
func TestGenerate_ManyToManyGolden(t *testing.T) {
	sdl := manyToManySchema(50)
	for _, v := range []struct {
		name string
		opts Options
	}{
		{"default", Options{}},
		{"legacy-pk", Options{RespectPrimaryKeyAttributesOnConnectionField: boolPtr(false)}},
	} {
		t.Run(v.name, func(t *testing.T) {
			got, err := Generate(sdl, v.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, out := range []struct{ suffix, text string }{
				{"models.js", got.Models},
				{"introspection.json", got.ModelIntrospectionSchema},
			} {
				path := filepath.Join("testdata", "manytomany", "50-"+v.name+"."+out.suffix)
				if *update {
					if err := os.WriteFile(path, []byte(out.text), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if out.text != string(want) {
					t.Errorf("%s differs from %s: %s", out.suffix, path, firstLineDiff(out.text, string(want)))
				}
			}
		})
	}
}

// firstLineDiff describes the first line where got and want differ.
func firstLineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d: got %q, want %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("got %d lines, want %d", len(g), len(w))
}

// hubSchemas are the generated schemas whose hub model has a relation to
// every other model.
var hubSchemas = []struct {
	name string
	gen  func(n int) string
}{
	{"manyToMany", manyToManySchema},
	{"belongsToHub", belongsToHubSchema},
}

// TestGenerate_HubSchemasReference checks the generated schemas against the
// official generator, so the golden files and benchmarks hold correct output.
func TestGenerate_HubSchemasReference(t *testing.T) {
	ref := startReference(t)
	for _, h := range hubSchemas {
		sdl := h.gen(50)
		for _, opts := range []Options{{}, {RespectPrimaryKeyAttributesOnConnectionField: boolPtr(false)}} {
			d, err := disagreement(ref, sdl, opts)
			if err != nil {
				t.Fatal(err)
			}
			if d != "" {
				t.Errorf("%s, options %s: %s", h.name, optString(opts), d)
			}
		}
	}
}

// TestProcess_HubSchemasLinear checks, by counting the fields that lookups
// walk instead of timing, that processing a hub schema is linear in its
// size: twice the models, at most about twice the walking. (Before lookups
// were indexed, each relation to the hub walked all its fields, and the
// count grew with the cube.)
func TestProcess_HubSchemasLinear(t *testing.T) {
	visits := func(t *testing.T, sdl string, ro resolvedOptions, tg target) int {
		doc, err := parseSchema(sdl)
		if err != nil {
			t.Fatal(err)
		}
		protos, err := convertDocument(doc)
		if err != nil {
			t.Fatal(err)
		}
		r := &run{opts: ro, target: tg}
		if err := r.load(doc, protos); err != nil {
			t.Fatal(err)
		}
		if err := r.process(); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range r.models.values() {
			n += m.visits
		}
		return n
	}
	variants := []struct {
		name string
		ro   resolvedOptions
		tg   target
	}{
		{"default", resolvedOptions{respectPK: true, timestamps: true}, targetModels},
		{"legacy-pk/models", resolvedOptions{respectPK: false, timestamps: true}, targetModels},
		{"legacy-pk/introspection", resolvedOptions{respectPK: false, timestamps: true}, targetIntrospection},
	}
	for _, h := range hubSchemas {
		for _, v := range variants {
			t.Run(h.name+"/"+v.name, func(t *testing.T) {
				small := visits(t, h.gen(400), v.ro, v.tg)
				large := visits(t, h.gen(800), v.ro, v.tg)
				if small == 0 || float64(large) > 2.1*float64(small) {
					t.Errorf("fields walked: %d for 400 models, %d for 800; want at most 2.1 times as many", small, large)
				}
				t.Logf("fields walked: %d for 400 models, %d for 800", small, large)
			})
		}
	}
}

// TestGenerate_IndexedLookups runs the fixtures, the edge cases, random
// schemas and the hub schemas once with every model indexed and once with
// none, and checks that both give the same outputs or the same error.
func TestGenerate_IndexedLookups(t *testing.T) {
	inputs := slices.Clone(edgeCases)
	for _, file := range goldenCases(t) {
		sdl, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, string(sdl))
	}
	for seed := int64(1); seed <= 100; seed++ {
		inputs = append(inputs, randomSchema(seed).String())
	}
	for _, h := range hubSchemas {
		inputs = append(inputs, h.gen(30))
	}
	defer func(n int) { indexFrom = n }(indexFrom)
	generateWith := func(from int, sdl string, opts Options) string {
		indexFrom = from
		res, err := Generate(sdl, opts)
		if err != nil {
			return "error: " + err.Error()
		}
		return res.Models + "\n" + res.ModelIntrospectionSchema
	}
	variants := []Options{
		{},
		{RespectPrimaryKeyAttributesOnConnectionField: boolPtr(false)},
		{AddTimestampFields: boolPtr(false)},
	}
	for i, sdl := range inputs {
		for _, opts := range variants {
			indexed := generateWith(0, sdl, opts)
			scanned := generateWith(math.MaxInt, sdl, opts)
			if indexed != scanned {
				t.Errorf("input %d, options %s: indexed and scanning lookups differ: %s\nschema:\n%s", i, optString(opts), firstLineDiff(indexed, scanned), sdl)
			}
		}
	}
}
