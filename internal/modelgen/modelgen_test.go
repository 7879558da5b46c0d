package modelgen

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestGenerate_Errors(t *testing.T) {
	tests := []struct {
		name, schema string
		line, col    int // a directive is located by its name
		msg          string
	}{
		{"unknown type", "type Todo @model {\n  id: ID!\n  foo: Foo\n}", 3, 8, "Unknown type Foo"},
		{"syntax", "type Todo @model {\n  id: ID!\n", 3, 1, "Expected Name, found <EOF>"},
		{"empty", "\n  ", 2, 3, "Syntax Error: Unexpected <EOF>."},
		{"undefined directive", "type A @model {\n  x: Int @nope\n}", 2, 11, "Undefined directive nope."},
		{"hasMany on a non-list", "type A @model {\n  b: B @hasMany\n}\ntype B @model { x: Int }", 2, 9, "A field with hasMany must be a list type"},
		{"belongsTo without parent", "type A @model { x: Int }\ntype B @model {\n  a: A @belongsTo\n}", 3, 9, "A 'belongsTo' field should match to a corresponding 'hasMany' or 'hasOne' field"},
		{"nullable primary key", "type A @model {\n  k: ID @primaryKey\n}", 2, 3, "The primary key on type 'A' must reference non-null fields."},
		{"custom scalar", "scalar S\ntype A @model {\n  s: S\n}", 3, 3, "Unknown type S"},
		{"manyToMany alone", "type A @model {\n  bs: [B] @manyToMany(relationName: \"R\")\n}\ntype B @model { x: Int }", 2, 12, "Error for relation: 'R', there should be two matching manyToMany directives and found: 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(tt.schema, Options{})
			var se *SchemaError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v (%T), want *SchemaError", err, err)
			}
			if se.Line != tt.line || se.Column != tt.col || se.Message != tt.msg {
				t.Errorf("got line %d, column %d, %q; want line %d, column %d, %q", se.Line, se.Column, se.Message, tt.line, tt.col, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Errorf("Error() = %q, want it to start with the line", err.Error())
			}
		})
	}
}

func TestGenerate_Concurrent(t *testing.T) {
	files := goldenCases(t)
	want := make([]Result, len(files))
	sdls := make([]string, len(files))
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sdls[i] = string(b)
		if want[i], err = Generate(sdls[i], Options{}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range files {
				got, err := Generate(sdls[i], Options{})
				if err != nil || got != want[i] {
					t.Errorf("%s: concurrent run differs (err %v)", filepath.Base(files[i]), err)
				}
			}
		}()
	}
	wg.Wait()
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "0"}, {100, "100"}, {-7, "-7"}, {2.5, "2.5"}, {0.1, "0.1"},
		{1e21, "1e+21"}, {1e20, "100000000000000000000"}, {12345678901234567890, "12345678901234567000"},
		{0.000001, "0.000001"}, {1e-7, "1e-7"}, {1.5e-10, "1.5e-10"}, {123.456, "123.456"},
		{math.MaxFloat64, "1.7976931348623157e+308"}, {5e-324, "5e-324"}, {math.Inf(1), "null"}, {math.NaN(), "null"},
	}
	for _, tt := range tests {
		if got := formatNumber(tt.in); got != tt.want {
			t.Errorf("formatNumber(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStringify_Strings(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{`q"b\`, `"q\"b\\"`},
		{"\b\f\n\r\t\x00\x1f\x7f", `"\b\f\n\r\t\u0000\u001f` + "\x7f" + `"`},
		{"<>&\u2028\u2029é😀", `"<>&` + "\u2028\u2029é😀" + `"`},
		{"bad\xffutf8", "\"bad\ufffdutf8\""},
	}
	for _, tt := range tests {
		if got := stringifyCompact(tt.in); got != tt.want {
			t.Errorf("stringify(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestJSObject_KeyOrder(t *testing.T) {
	o := newObject(0)
	for _, k := range []string{"b", "10", "a", "2", "01", "4294967295", "0"} {
		o.set(k, k)
	}
	o.set("b", "again")
	if got, want := stringifyCompact(o), `{"0":"0","2":"2","10":"10","b":"again","a":"a","01":"01","4294967295":"4294967295"}`; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
