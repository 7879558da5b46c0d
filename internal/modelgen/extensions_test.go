package modelgen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGenerate_DifferentialExtensions compares Generate with the official
// generator on the hand-written schemas of testdata/extensions: extend
// definitions of every kind, directives written on a type and its
// extensions, types named like directives, and the parser corners of
// graphql-js 15.
func TestGenerate_DifferentialExtensions(t *testing.T) {
	ref := startReference(t)
	files, err := filepath.Glob(filepath.Join("testdata", "extensions", "*.graphql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas in testdata/extensions: %v", err)
	}
	for _, f := range files {
		sdl, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, opts := range []Options{{}, {RespectPrimaryKeyAttributesOnConnectionField: boolPtr(false)}, {AddTimestampFields: boolPtr(false)}} {
			d, err := disagreement(ref, string(sdl), opts)
			if err != nil {
				t.Fatal(err)
			}
			if d != "" {
				t.Errorf("%s (options %s): %s\n%s", filepath.Base(f), optString(opts), d, sdl)
			}
		}
	}
}

// TestGenerate_ExtensionMerge pins the merge rules (merge.go) without the
// official generator.
func TestGenerate_ExtensionMerge(t *testing.T) {
	// property returns the value at path (keys and indexes) in both outputs.
	property := func(t *testing.T, sdl string, path ...any) (models, intro any) {
		t.Helper()
		res, err := Generate(sdl, Options{})
		if err != nil {
			t.Fatalf("Generate: %v", err)
		}
		var m, in any
		if err := json.Unmarshal([]byte(stripModels(res.Models)), &m); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(res.ModelIntrospectionSchema), &in); err != nil {
			t.Fatal(err)
		}
		walk := func(v any) any {
			for _, p := range path {
				switch k := p.(type) {
				case string:
					v = v.(map[string]any)[k]
				case int:
					v = v.([]any)[k]
				}
			}
			return v
		}
		return walk(m), walk(in)
	}
	asJSON := func(v any) string { b, _ := json.Marshal(v); return string(b) }

	enumCases := []struct{ name, sdl, want string }{
		{"extension after", "enum E { A }\nextend enum E { B }", `["B","A"]`},
		{"extension first", "extend enum E { B }\nenum E { A }", `["A","B"]`},
		{"three pieces", "enum E { A }\nextend enum E { B }\nextend enum E { C }", `["C","B","A"]`},
		{"several values", "enum E { A B }\nextend enum E { C D }", `["C","D","A","B"]`},
	}
	for _, c := range enumCases {
		t.Run("enum/"+c.name, func(t *testing.T) {
			got, _ := property(t, "type P @model { id: ID! e: E }\n"+c.sdl, "enums", "E", "values")
			if asJSON(got) != c.want {
				t.Errorf("values = %s, want %s", asJSON(got), c.want)
			}
		})
	}
	attrs := func(t *testing.T, sdl string) (string, string) {
		m, in := property(t, sdl, "models", "Post", "attributes")
		return asJSON(m), asJSON(in)
	}
	t.Run("directive on both is one", func(t *testing.T) {
		got, _ := attrs(t, "type Post @model { id: ID! }\nextend type Post @model")
		if want := `[{"properties":{},"type":"model"}]`; got != want {
			t.Errorf("attributes = %s, want %s", got, want)
		}
	})
	t.Run("arguments merged", func(t *testing.T) {
		got, _ := property(t, "type Post @model { id: ID! }\nextend type Post @model(timestamps: null)", "models", "Post", "fields")
		if _, ok := got.(map[string]any)["createdAt"]; ok {
			t.Errorf("createdAt present with timestamps: null from the extension")
		}
	})
	t.Run("string lists deduplicated", func(t *testing.T) {
		got, _ := attrs(t, `type Post @model @aws_cognito_user_pools(cognito_groups: ["b"]) { id: ID! }`+"\n"+`extend type Post @aws_cognito_user_pools(cognito_groups: ["a", "b"])`)
		if !strings.Contains(got, `"cognito_groups":["b","a"]`) {
			t.Errorf("attributes = %s, want cognito_groups [b a]", got)
		}
	})
	t.Run("object lists grow per merge", func(t *testing.T) {
		m, in := property(t, "type Post @model @auth(rules: [{allow: owner}]) { id: ID! }\nextend type Post @auth(rules: [{allow: public}])",
			"models", "Post", "attributes", 1, "properties", "rules")
		allow := func(v any) []string {
			var out []string
			for _, r := range v.([]any) {
				out = append(out, r.(map[string]any)["allow"].(string))
			}
			return out
		}
		if got, want := allow(m), []string{"owner", "public", "public", "public", "public"}; !slices.Equal(got, want) {
			t.Errorf("schema.js rules = %v, want %v", got, want)
		}
		if got, want := allow(in), []string{"owner", "public"}; !slices.Equal(got, want) {
			t.Errorf("introspection rules = %v, want %v", got, want)
		}
	})
	t.Run("fields in piece order", func(t *testing.T) {
		res, err := Generate("extend type Post { b: Int }\ntype Post @model { id: ID! a: Int }\nextend type Post { c: Int }", Options{})
		if err != nil {
			t.Fatal(err)
		}
		ib, ia, ic := strings.Index(res.Models, `"b": {`), strings.Index(res.Models, `"a": {`), strings.Index(res.Models, `"c": {`)
		if !(ib >= 0 && ib < ia && ia < ic) {
			t.Errorf("fields not in the order b, a, c:\n%s", res.Models)
		}
	})
	t.Run("extend schema replaces an operation type", func(t *testing.T) {
		m, _ := property(t, "schema { query: Q }\nextend schema { query: Q2 }\ntype Q { a: Int }\ntype Q2 { b: Int }\ntype Post @model { id: ID! }", "nonModels")
		if _, ok := m.(map[string]any)["Q"]; !ok {
			t.Errorf("Q should be a non-model once Q2 is the query type: %s", asJSON(m))
		}
	})
	t.Run("type named like a directive first", func(t *testing.T) {
		res, err := Generate("type Post @model { id: ID! }\ntype auth @model { id: ID! }", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if a, p := strings.Index(res.Models, `"auth": {`), strings.Index(res.Models, `"Post": {`); !(a >= 0 && a < p) {
			t.Errorf("auth should come before Post:\n%s", res.Models)
		}
	})
}

// TestGenerate_GraphQLJSRejects checks the schemas graphql-js 15 rejects
// and gqlparser would accept: the error and where it is.
func TestGenerate_GraphQLJSRejects(t *testing.T) {
	cases := []struct {
		sdl       string
		line, col int
		msg       string
	}{
		{"type P @model {\n  s: String @default(value: \"\\u{1F600}\")\n}", 2, 31, `Syntax Error: Invalid character escape sequence: \u{1F6.`},
		{"\"\\u{41} doc\"\ntype P @model { id: ID! }", 1, 3, `Syntax Error: Invalid character escape sequence: \u{41}.`},
		{"type P @model {\n  s: String @deprecated(reason: 5)\n}", 2, 33, `Argument "reason" has invalid value 5.`},
		{"type P @model { id: ID! }\nenum E { A @deprecated(reason: [\"x\", {a: true}]) }", 2, 32, `Argument "reason" has invalid value ["x", {a: true}].`},
		{"type P @model { id: ID! }\ninput I { a: Int @deprecated(reason: LATER) }", 2, 38, `Argument "reason" has invalid value LATER.`},
		{"type P @model { id: ID! }\nscalar S @specifiedBy(url: 5)", 2, 28, `Argument "url" has invalid value 5.`},
		{"type P @model { id: ID! s: S }\nscalar S @specifiedBy(url: \"https://a\")\nextend scalar S @specifiedBy(url: 5)", 3, 35, `Argument "url" has invalid value 5.`},
		{"type P @model @auth(rules: [{allow: owner}]) { id: ID! }\nextend type P @auth(rules: {allow: public})", 2, 28, `Unable to merge GraphQL type "P": argument "rules" of @auth is a list where it is merged with {allow: public}`},
	}
	for _, c := range cases {
		_, err := Generate(c.sdl, Options{})
		se, ok := err.(*SchemaError)
		if !ok {
			t.Errorf("%q: error %v, want a *SchemaError", c.sdl, err)
			continue
		}
		if se.Line != c.line || se.Column != c.col || se.Message != c.msg {
			t.Errorf("%q:\n got line %d, column %d: %s\nwant line %d, column %d: %s", c.sdl, se.Line, se.Column, se.Message, c.line, c.col, c.msg)
		}
	}
	for _, ok := range []string{
		`type P @model { id: ID! s: String @default(value: "\u00e9") }`,
		`type P @model { id: ID! s: String @default(value: """\u{41}""") }`,
		"# \\u{41}\ntype P @model { id: ID! }",
		`type P @model { id: ID! s: String @deprecated(reason: "old") t: Int @deprecated(reason: null) }`,
		`type P @model { id: ID! } enum E @deprecated(reason: 5) { A }`,
	} {
		if _, err := Generate(ok, Options{}); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}
