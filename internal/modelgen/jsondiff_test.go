package modelgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// ordered is a parsed JSON value that keeps object key order.
type ordered struct {
	keys []string
	vals []any
}

func parseOrdered(text string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	v, err := parseOrderedValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

func parseOrderedValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &ordered{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := parseOrderedValue(dec)
				if err != nil {
					return nil, err
				}
				o.keys = append(o.keys, k.(string))
				o.vals = append(o.vals, v)
			}
			_, err := dec.Token()
			return o, err
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := parseOrderedValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token()
			return arr, err
		}
	}
	return tok, nil
}

// firstDiff describes the first place where got and want differ, "" if none.
// ordered selects whether key order counts.
func firstDiff(path string, got, want any, keyOrder bool) string {
	switch w := want.(type) {
	case *ordered:
		g, ok := got.(*ordered)
		if !ok {
			return fmt.Sprintf("%s: got %s, want an object", path, brief(got))
		}
		if keyOrder && !reflect.DeepEqual(g.keys, w.keys) {
			return fmt.Sprintf("%s: keys %q, want %q", path, g.keys, w.keys)
		}
		for i, k := range w.keys {
			j := -1
			for jj, kk := range g.keys {
				if kk == k {
					j = jj
					break
				}
			}
			if j < 0 {
				return fmt.Sprintf("%s: missing key %q (got keys %q)", path, k, g.keys)
			}
			if d := firstDiff(path+"."+k, g.vals[j], w.vals[i], keyOrder); d != "" {
				return d
			}
		}
		for _, k := range g.keys {
			found := false
			for _, kk := range w.keys {
				if kk == k {
					found = true
				}
			}
			if !found {
				return fmt.Sprintf("%s: unexpected key %q", path, k)
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s: got %s, want an array", path, brief(got))
		}
		for i := 0; i < len(w) && i < len(g); i++ {
			if d := firstDiff(fmt.Sprintf("%s[%d]", path, i), g[i], w[i], keyOrder); d != "" {
				return d
			}
		}
		if len(g) != len(w) {
			return fmt.Sprintf("%s: %d elements, want %d", path, len(g), len(w))
		}
		return ""
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("%s: got %s, want %s", path, brief(got), brief(want))
	}
	return ""
}

func brief(v any) string {
	switch x := v.(type) {
	case *ordered:
		return fmt.Sprintf("object with keys %q", x.keys)
	case []any:
		return fmt.Sprintf("array of %d", len(x))
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// compareJSONText checks got against want: parsed equality, then key
// order, then the exact text. It returns "" when they are identical.
func compareJSONText(got, want string) string {
	g, err := parseOrdered(got)
	if err != nil {
		return "got is not JSON: " + err.Error()
	}
	w, err := parseOrdered(want)
	if err != nil {
		return "want is not JSON: " + err.Error()
	}
	if d := firstDiff("$", g, w, false); d != "" {
		return "values differ: " + d
	}
	if d := firstDiff("$", g, w, true); d != "" {
		return "key order differs: " + d
	}
	if got != want {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		return fmt.Sprintf("text differs at byte %d: got %q, want %q", i, excerpt(got, i), excerpt(want, i))
	}
	return ""
}

func excerpt(s string, i int) string {
	lo, hi := max(0, i-40), min(len(s), i+40)
	return s[lo:hi]
}

// trimNL drops the one newline the fixture files add.
func trimNL(b []byte) string { return string(bytes.TrimSuffix(b, []byte("\n"))) }
