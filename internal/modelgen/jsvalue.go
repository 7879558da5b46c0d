package modelgen

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The official generator manipulates plain JavaScript values; the types below
// reproduce the parts of their semantics that reach the output: property
// order (array-index keys first, then insertion order), undefined properties
// that JSON.stringify skips, truthiness, and JSON.stringify's text.
//
// A JavaScript value is held in an `any`: undefinedValue, nil (null), bool,
// float64, string, []any (array) or *jsObject.

type jsUndefined struct{}

var undefinedValue any = jsUndefined{}

func isUndefined(v any) bool { _, ok := v.(jsUndefined); return ok }

// isNullish reports v == null in JavaScript (null or undefined).
func isNullish(v any) bool { return v == nil || isUndefined(v) }

// jsObject is an ordinary JavaScript object: its own enumerable properties.
type jsObject struct {
	props []jsProp
	// hasIndexKey is true when some key is an array index, which changes the
	// enumeration order.
	hasIndexKey bool
	// index maps keys to positions once the object is large (an enum's
	// values can be thousands), so that building it stays linear.
	index map[string]int
}

// objectIndexFrom is the size from which an object keeps an index of its keys.
const objectIndexFrom = 32

type jsProp struct {
	key string
	val any
}

func newObject(n int) *jsObject {
	if n == 0 {
		return &jsObject{}
	}
	return &jsObject{props: make([]jsProp, 0, n)}
}

func (o *jsObject) len() int { return len(o.props) }

func (o *jsObject) find(k string) int {
	if o.index != nil {
		if i, ok := o.index[k]; ok {
			return i
		}
		return -1
	}
	for i := range o.props {
		if o.props[i].key == k {
			return i
		}
	}
	return -1
}

// set assigns o[k] = v: an existing property keeps its position.
func (o *jsObject) set(k string, v any) {
	if i := o.find(k); i >= 0 {
		o.props[i].val = v
		return
	}
	o.props = append(o.props, jsProp{k, v})
	switch {
	case o.index != nil:
		o.index[k] = len(o.props) - 1
	case len(o.props) >= objectIndexFrom:
		o.index = make(map[string]int, 2*len(o.props))
		for i, p := range o.props {
			o.index[p.key] = i
		}
	}
	if !o.hasIndexKey && isArrayIndex(k) {
		o.hasIndexKey = true
	}
}

// get returns o[k], undefined when absent.
func (o *jsObject) get(k string) any {
	if o == nil {
		return undefinedValue
	}
	if i := o.find(k); i >= 0 {
		return o.props[i].val
	}
	return undefinedValue
}

func (o *jsObject) has(k string) bool { return o != nil && o.find(k) >= 0 }

// each calls fn for the properties in JavaScript enumeration order.
func (o *jsObject) each(fn func(k string, v any)) {
	if !o.hasIndexKey {
		for _, p := range o.props {
			fn(p.key, p.val)
		}
		return
	}
	for _, i := range o.order() {
		fn(o.props[i].key, o.props[i].val)
	}
}

// order returns the property indices in JavaScript enumeration order.
func (o *jsObject) order() []int {
	idx := make([]int, 0, len(o.props))
	if !o.hasIndexKey {
		for i := range o.props {
			idx = append(idx, i)
		}
		return idx
	}
	type ik struct {
		n uint64
		i int
	}
	var ints []ik
	for i, p := range o.props {
		if isArrayIndex(p.key) {
			n, _ := strconv.ParseUint(p.key, 10, 64)
			ints = append(ints, ik{n, i})
		}
	}
	// insertion sort: these objects are small
	for a := 1; a < len(ints); a++ {
		for b := a; b > 0 && ints[b].n < ints[b-1].n; b-- {
			ints[b], ints[b-1] = ints[b-1], ints[b]
		}
	}
	for _, x := range ints {
		idx = append(idx, x.i)
	}
	for i, p := range o.props {
		if !isArrayIndex(p.key) {
			idx = append(idx, i)
		}
	}
	return idx
}

// spreadInto copies the own enumerable properties of v into o, like {...o, ...v}.
func (o *jsObject) spreadInto(v any) {
	switch x := v.(type) {
	case *jsObject:
		x.each(o.set)
	case []any:
		for i, e := range x {
			o.set(strconv.Itoa(i), e)
		}
	case string:
		i := 0
		for _, u := range utf16.Encode([]rune(x)) {
			o.set(strconv.Itoa(i), string(utf16.Decode([]uint16{u})))
			i++
		}
	}
}

// clone returns a shallow copy in enumeration order.
func (o *jsObject) clone() *jsObject {
	c := newObject(len(o.props) + 2)
	c.spreadInto(o)
	return c
}

// isArrayIndex reports whether k is a canonical array index ("0" .. "4294967294").
func isArrayIndex(k string) bool {
	if k == "" || len(k) > 10 {
		return false
	}
	if k[0] == '0' {
		return k == "0"
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return false
		}
	}
	n, err := strconv.ParseUint(k, 10, 64)
	return err == nil && n < 4294967295
}

// truthy is JavaScript's ToBoolean.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil, jsUndefined:
		return false
	case bool:
		return x
	case float64:
		return x != 0 && !math.IsNaN(x)
	case string:
		return x != ""
	}
	return true
}

// or is JavaScript's a || b.
func or(a, b any) any {
	if truthy(a) {
		return a
	}
	return b
}

// jsLength returns v.length when it is a number (arrays and strings).
func jsLength(v any) (int, bool) {
	switch x := v.(type) {
	case []any:
		return len(x), true
	case string:
		return utf16Len(x), true
	}
	return 0, false
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// jsIndex returns v[i] for arrays and strings, undefined otherwise.
func jsIndex(v any, i int) any {
	switch x := v.(type) {
	case []any:
		if i < len(x) {
			return x[i]
		}
	case string:
		u := utf16.Encode([]rune(x))
		if i < len(u) {
			if utf16.IsSurrogate(rune(u[i])) {
				return loneSurrogate(u[i])
			}
			return string(rune(u[i]))
		}
	}
	return undefinedValue
}

// loneSurrogate stands for a string made of one unpaired UTF-16 surrogate,
// which no Go string can hold; it equals no other value.
type loneSurrogate uint16

// jsSpread returns the elements of [...v].
func jsSpread(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case string:
		out := make([]any, 0, len(x))
		for _, r := range x {
			out = append(out, string(r))
		}
		return out, true
	}
	return nil, false
}

// jsConcat returns [a...].concat(v).
func jsConcat(a []any, v any) []any {
	out := make([]any, 0, len(a)+4)
	out = append(out, a...)
	if arr, ok := v.([]any); ok {
		return append(out, arr...)
	}
	return append(out, v)
}

// strictEquals is JavaScript's === for the value kinds used here (objects by identity).
func strictEquals(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case jsUndefined:
		return isUndefined(b)
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case loneSurrogate:
		y, ok := b.(loneSurrogate)
		return ok && x == y
	case *jsObject:
		y, ok := b.(*jsObject)
		return ok && x == y
	}
	// Arrays compare by identity; the generator never compares an array with itself.
	return false
}

// ---- JSON.stringify ----

// jsonWriter writes JSON.stringify(value, null, indent) text.
type jsonWriter struct {
	buf    strings.Builder
	indent int // 0 = compact
	depth  int
}

const spaces = "                                                                "

func (w *jsonWriter) newline() {
	if w.indent == 0 {
		return
	}
	w.buf.WriteByte('\n')
	for n := w.depth * w.indent; n > 0; n -= len(spaces) {
		w.buf.WriteString(spaces[:min(n, len(spaces))])
	}
}

// omitted reports whether JSON.stringify skips v as a property value.
func omitted(v any) bool {
	switch v.(type) {
	case jsUndefined:
		return true
	}
	return false
}

func (w *jsonWriter) value(v any) {
	switch x := v.(type) {
	case nil, jsUndefined:
		w.buf.WriteString("null")
	case bool:
		if x {
			w.buf.WriteString("true")
		} else {
			w.buf.WriteString("false")
		}
	case float64:
		w.buf.WriteString(formatNumber(x))
	case string:
		writeJSONString(&w.buf, x)
	case loneSurrogate:
		w.buf.WriteString(`"\u`)
		w.buf.WriteString(strconv.FormatUint(uint64(x), 16))
		w.buf.WriteByte('"')
	case []any:
		if len(x) == 0 {
			w.buf.WriteString("[]")
			return
		}
		w.buf.WriteByte('[')
		w.depth++
		for i, e := range x {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			w.newline()
			w.value(e)
		}
		w.depth--
		w.newline()
		w.buf.WriteByte(']')
	case *jsObject:
		w.object(x)
	default:
		panic("modelgen: unexpected value type")
	}
}

func (w *jsonWriter) object(o *jsObject) {
	first := true
	w.buf.WriteByte('{')
	w.depth++
	var order []int
	if o.hasIndexKey {
		order = o.order()
	}
	for j := range o.props {
		i := j
		if order != nil {
			i = order[j]
		}
		if omitted(o.props[i].val) {
			continue
		}
		if !first {
			w.buf.WriteByte(',')
		}
		first = false
		w.newline()
		w.key(o.props[i].key)
		w.value(o.props[i].val)
	}
	w.depth--
	if !first {
		w.newline()
	}
	w.buf.WriteByte('}')
}

// key writes a property name and the separator.
func (w *jsonWriter) key(k string) {
	writeJSONString(&w.buf, k)
	if w.indent > 0 {
		w.buf.WriteString(": ")
	} else {
		w.buf.WriteByte(':')
	}
}

// Helpers for writers of fixed-shape objects.
func (w *jsonWriter) beginObject() { w.buf.WriteByte('{'); w.depth++ }
func (w *jsonWriter) prop(first *bool, k string) {
	if !*first {
		w.buf.WriteByte(',')
	}
	*first = false
	w.newline()
	w.key(k)
}

// propKey is prop for a key that needs no escaping (the generator's own keys).
func (w *jsonWriter) propKey(first *bool, k string) {
	if !*first {
		w.buf.WriteByte(',')
	}
	*first = false
	w.newline()
	w.buf.WriteByte('"')
	w.buf.WriteString(k)
	if w.indent > 0 {
		w.buf.WriteString(`": `)
	} else {
		w.buf.WriteString(`":`)
	}
}

func (w *jsonWriter) bool(b bool) {
	if b {
		w.buf.WriteString("true")
	} else {
		w.buf.WriteString("false")
	}
}

func (w *jsonWriter) endObject(empty bool) {
	w.depth--
	if !empty {
		w.newline()
	}
	w.buf.WriteByte('}')
}

const hexDigits = "0123456789abcdef"

// writeJSONString writes s quoted as JSON.stringify does.
func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b.WriteString(s[start:i])
				if c == 0xED && i+2 < len(s) && s[i+1]&0xE0 == 0xA0 && s[i+2]&0xC0 == 0x80 {
					// a WTF-8 encoded unpaired surrogate: JSON.stringify escapes it
					u := 0xD000 | uint16(s[i+1]&0x3F)<<6 | uint16(s[i+2]&0x3F)
					b.WriteString(`\u`)
					for sh := 12; sh >= 0; sh -= 4 {
						b.WriteByte(hexDigits[(u>>sh)&0xF])
					}
					i += 3
				} else {
					b.WriteString("\ufffd")
					i++
				}
				start = i
				continue
			}
			i += size
			continue
		}
		b.WriteString(s[start:i])
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

// formatNumber is ECMAScript Number::toString(10) as JSON.stringify uses it
// (non-finite numbers become null).
func formatNumber(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "null"
	}
	if f == 0 {
		return "0"
	}
	neg := f < 0
	if neg {
		f = -f
	}
	// shortest round-trip digits and exponent
	s := strconv.FormatFloat(f, 'e', -1, 64) // d.ddddde±xx
	mant, expPart, _ := cut(s, 'e')
	digits := make([]byte, 0, len(mant))
	for i := 0; i < len(mant); i++ {
		if mant[i] != '.' {
			digits = append(digits, mant[i])
		}
	}
	e, _ := strconv.Atoi(expPart)
	k := len(digits)
	n := e + 1
	var out []byte
	if neg {
		out = append(out, '-')
	}
	switch {
	case k <= n && n <= 21:
		out = append(out, digits...)
		for i := 0; i < n-k; i++ {
			out = append(out, '0')
		}
	case 0 < n && n <= 21:
		out = append(out, digits[:n]...)
		out = append(out, '.')
		out = append(out, digits[n:]...)
	case -6 < n && n <= 0:
		out = append(out, '0', '.')
		for i := 0; i < -n; i++ {
			out = append(out, '0')
		}
		out = append(out, digits...)
	default:
		out = append(out, digits[0])
		if k > 1 {
			out = append(out, '.')
			out = append(out, digits[1:]...)
		}
		out = append(out, 'e')
		if n-1 >= 0 {
			out = append(out, '+')
		}
		out = strconv.AppendInt(out, int64(n-1), 10)
	}
	return string(out)
}

func cut(s string, sep byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// stringifyCompact is JSON.stringify(v).
func stringifyCompact(v any) string {
	var w jsonWriter
	w.value(v)
	return w.buf.String()
}

// jsonRoundTrip is JSON.parse(JSON.stringify(v)) for values without functions.
func jsonRoundTrip(v any) any {
	switch x := v.(type) {
	case jsUndefined:
		return nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		if x == 0 {
			return float64(0)
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonRoundTrip(e)
		}
		return out
	case *jsObject:
		o := newObject(len(x.props))
		x.each(func(k string, v any) {
			if !omitted(v) {
				o.set(k, jsonRoundTrip(v))
			}
		})
		return o
	}
	return v
}

// compareUTF16 compares strings by UTF-16 code units, as JavaScript's < does.
func compareUTF16(a, b string) int {
	// Fast path: byte order equals code unit order unless a character at or
	// above U+E000 meets a supplementary one.
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			if a[i] < 0x80 || b[i] < 0x80 {
				if a[i] < b[i] {
					return -1
				}
				return 1
			}
			ua := utf16.Encode([]rune(a))
			ub := utf16.Encode([]rune(b))
			for j := 0; j < len(ua) && j < len(ub); j++ {
				if ua[j] != ub[j] {
					if ua[j] < ub[j] {
						return -1
					}
					return 1
				}
			}
			return len(ua) - len(ub)
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}
