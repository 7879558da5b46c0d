package modelgen

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzGenerate feeds arbitrary schemas to the generator: it must never
// panic, must report rejections as *SchemaError, and must produce JSON.
func FuzzGenerate(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "schemas", "*.graphql"))
	exts, _ := filepath.Glob(filepath.Join("testdata", "extensions", "*.graphql"))
	for _, file := range append(files, exts...) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), false)
	}
	for seed := int64(1); seed <= 40; seed++ {
		f.Add(randomSchema(seed).String(), seed%3 == 0)
	}
	for _, s := range []string{
		"", "type", "type A @model { id: ID! @primaryKey(sortKeyFields: 1) }",
		`type A @model { x: [B] @hasMany(references: "y") } type B @model { y: ID @belongsTo(references: "y") }`,
		`type A @model(timestamps: {createdAt: 5}) { x: Int }`,
		`type A @model @auth(rules: [null, "x", {allow: groups, groupField: ""}]) { x: Int }`,
		`type A @model { b: B @hasOne(fields: ["q", "r"]) } type B @model { id: ID! }`,
		`enum E { _1 _2 _10 a A }  type A @model { e: E }`,
		`type A @model { a: [A] @manyToMany(relationName: "s") b: [A] @manyToMany(relationName: "s") }`,
		`type A @model { b: B @belongsTo(fields: "xyz") } type B @model { a: A @hasOne }`,
		`type constructor @model { x: Int } type T @model { c: constructor @hasOne }`,
	} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, schema string, legacy bool) {
		opts := Options{}
		if legacy {
			opts.RespectPrimaryKeyAttributesOnConnectionField = boolPtr(false)
		}
		res, err := generate(schema, opts)
		if err != nil {
			var se *SchemaError
			if !errors.As(err, &se) {
				t.Fatalf("error is %T, want *SchemaError: %v", err, err)
			}
			if strings.HasPrefix(se.Message, "internal error") {
				t.Fatalf("generator bug: %v", err)
			}
			if se.Line <= 0 || se.Column <= 0 {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		if !strings.HasPrefix(res.Models, modelsPrefix) || !strings.HasSuffix(res.Models, ";") {
			t.Fatalf("Models is not schema.js text: %.80q", res.Models)
		}
		if !json.Valid([]byte(stripModels(res.Models))) || !json.Valid([]byte(res.ModelIntrospectionSchema)) {
			t.Fatalf("output is not JSON")
		}
	})
}
