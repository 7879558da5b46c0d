package modelgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// largeSchema is the 200-model schema gen-large.mjs writes (SPEED.md).
const largeSchema = "testdata/large/17-large-200-models.graphql"

// BenchmarkGenerateLarge times both outputs for the 200-model schema; compare
// with `node testdata/ref/bench.mjs testdata/large/17-large-200-models.graphql`
// (run in this folder).
func BenchmarkGenerateLarge(b *testing.B) {
	sdl, err := os.ReadFile(filepath.FromSlash(largeSchema))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(sdl)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(string(sdl), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGenerate_Large checks the large schema against the official generator,
// so the benchmark measures correct output.
func TestGenerate_Large(t *testing.T) {
	sdl, err := os.ReadFile(filepath.FromSlash(largeSchema))
	if err != nil {
		t.Fatal(err)
	}
	ref := startReference(t)
	for _, opts := range []Options{{}, {RespectPrimaryKeyAttributesOnConnectionField: boolPtr(false)}} {
		d, err := disagreement(ref, string(sdl), opts)
		if err != nil {
			t.Fatal(err)
		}
		if d != "" {
			t.Errorf("200-model schema, options %s: %s", optString(opts), d)
		}
	}
}

// BenchmarkProcess_ManyToMany times Generate, as the server calls it, on
// manyToManySchema(N); the time per type should stay flat as N grows.
func BenchmarkProcess_ManyToMany(b *testing.B) {
	benchmarkSizes(b, manyToManySchema)
}

// BenchmarkProcess_BelongsToHub is BenchmarkProcess_ManyToMany for
// belongsToHubSchema(N).
func BenchmarkProcess_BelongsToHub(b *testing.B) {
	benchmarkSizes(b, belongsToHubSchema)
}

func benchmarkSizes(b *testing.B, gen func(n int) string) {
	for _, n := range []int{500, 1000, 2000, 4000} {
		sdl := gen(n)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(sdl)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Generate(sdl, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkProcess_Extensions is BenchmarkProcess_ManyToMany for a model and
// an enum extended N times each, every model extension adding a field and
// an @auth rule (merged into one list, four times over for schema.js).
func BenchmarkProcess_Extensions(b *testing.B) {
	benchmarkSizes(b, extensionsSchema)
}

func extensionsSchema(n int) string {
	var sb strings.Builder
	sb.WriteString("type Post @model @auth(rules: [{allow: owner}]) { id: ID! e: E }\nenum E { A }\n")
	for i := range n {
		fmt.Fprintf(&sb, "extend type Post @auth(rules: [{allow: public}]) { f%d: Int }\nextend enum E { V%d }\n", i, i)
	}
	return sb.String()
}
