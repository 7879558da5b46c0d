package httpapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

// members describes what keys a JSON value decoded into a Go type may hold:
// for a struct, its members by exact wire name; for a slice, its element.
// A nil *members (any other type) constrains nothing below it.
type members struct {
	fields map[string]*members // struct: wire name → the member's shape
	names  []string            // struct: the wire names, for case folding
	elem   *members            // slice: the element's shape
	isObj  bool                // a struct: its value is a JSON object
	// strs are the *string members of a struct (decodeFlat).
	strs []strMember
}

// strMember is a *string member: its wire name and field index.
type strMember struct {
	name  string
	index int
}

var stringPtrType = reflect.TypeFor[*string]()

var membersCache sync.Map // reflect.Type → *members

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// membersOf returns the shape of t, built once per type.
func membersOf(t reflect.Type) *members {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if m, ok := membersCache.Load(t); ok {
		return m.(*members)
	}
	m := buildMembers(t, map[reflect.Type]*members{})
	membersCache.Store(t, m)
	return m
}

func buildMembers(t reflect.Type, seen map[reflect.Type]*members) *members {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if m, ok := seen[t]; ok {
		return m
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil // its own decoding decides what its keys mean
	}
	switch t.Kind() {
	case reflect.Struct:
		m := &members{fields: map[string]*members{}, isObj: true}
		seen[t] = m
		for f := range t.Fields() {
			tag := f.Tag.Get("json")
			if tag == "-" || !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			m.fields[name] = buildMembers(f.Type, seen)
			m.names = append(m.names, name)
			if f.Type == stringPtrType && !f.Anonymous && !strings.Contains(opts, "string") {
				m.strs = append(m.strs, strMember{name, f.Index[0]})
			}
		}
		return m
	case reflect.Slice, reflect.Array:
		m := &members{}
		seen[t] = m
		m.elem = buildMembers(t.Elem(), seen)
		return m
	}
	return nil
}

// exactKeys reports whether decoding body straight into a value of shape m
// with encoding/json gives what dropping inexact keys first would: every
// object key in a member position is either exactly a member's wire name or
// matches none of them even ignoring case (encoding/json matches names
// case-insensitively), no object repeats a key, and no key holds an escape.
// It answers false, to be safe, for anything it does not understand,
// including malformed JSON: the caller then takes the slow path, which also
// reports the error.
func exactKeys(body []byte, m *members) bool {
	s := keyScanner{b: body}
	s.space()
	if !s.value(m, 0) {
		return false
	}
	s.space()
	return s.i == len(s.b)
}

// maxKeyDepth bounds the scanner's recursion; deeper bodies take the slow path.
const maxKeyDepth = 64

type keyScanner struct {
	b []byte
	i int
}

func (s *keyScanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value skips one JSON value, checking object keys against m.
func (s *keyScanner) value(m *members, depth int) bool {
	if s.i >= len(s.b) || depth > maxKeyDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return s.object(m, depth)
	case c == '[':
		s.i++
		var elem *members
		if m != nil {
			elem = m.elem
		}
		s.space()
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			return true
		}
		for {
			s.space()
			if !s.value(elem, depth+1) {
				return false
			}
			if more, ok := s.next(']'); !more {
				return ok
			}
		}
	case c == '"':
		_, ok := s.str()
		return ok
	default: // number, true, false, null: up to the next delimiter
		start := s.i
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return s.i > start
			}
			s.i++
		}
		return s.i > start
	}
}

func (s *keyScanner) object(m *members, depth int) bool {
	s.i++ // '{'
	var fields *members
	if m != nil && m.isObj {
		fields = m
	}
	var seen [32][]byte
	nseen := 0
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return true
	}
	for {
		s.space()
		key, ok := s.str()
		if !ok {
			return false
		}
		var sub *members
		if fields != nil {
			if bytes.IndexByte(key, '\\') >= 0 {
				return false
			}
			if f, ok := fields.fields[string(key)]; ok {
				sub = f
			} else {
				for _, n := range fields.names {
					if strings.EqualFold(string(key), n) {
						return false // encoding/json would fill member n from it
					}
				}
			}
			for _, k := range seen[:nseen] {
				if bytes.Equal(k, key) {
					return false // a repeated key: the last one wins whole
				}
			}
			if nseen == len(seen) {
				return false
			}
			seen[nseen] = key
			nseen++
		}
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		s.space()
		if !s.value(sub, depth+1) {
			return false
		}
		if more, ok := s.next('}'); !more {
			return ok
		}
	}
}

// next reads what follows a member or element: a comma (more) or the
// closing bracket (ok, no more); anything else is not ok.
func (s *keyScanner) next(closing byte) (more, ok bool) {
	s.space()
	if s.i >= len(s.b) {
		return false, false
	}
	switch s.b[s.i] {
	case ',':
		s.i++
		return true, true
	case closing:
		s.i++
		return false, true
	}
	return false, false
}

// str skips a JSON string and returns its raw contents (escapes unresolved).
func (s *keyScanner) str() ([]byte, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	start := s.i + 1
	for j := start; j < len(s.b); j++ {
		switch s.b[j] {
		case '\\':
			j++
		case '"':
			s.i = j + 1
			return s.b[start:j], true
		}
	}
	return nil, false
}

// maxFlatMembers bounds the members decodeFlat fills.
const maxFlatMembers = 8

// decodeFlat decodes the common small body, such as GetBackend's
// {"backendEnvironmentName":"dev"}, without encoding/json: an object (the
// caller has trimmed space) whose keys are all exactly the wire names of
// *string members of in's struct type m, each once, holding UTF-8 strings
// without escapes or control characters, or null. encoding/json would fill
// in the same way, and checkText would pass it. It reports false, having
// changed nothing, for any other body.
func decodeFlat(body []byte, in any, m *members) bool {
	if m == nil || len(m.strs) == 0 {
		return false
	}
	var idx [maxFlatMembers]int
	var vals [maxFlatMembers][]byte
	n := 0
	s := keyScanner{b: body}
	s.i++ // '{'
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
	} else {
		for {
			s.space()
			key, ok := s.plainStr()
			if !ok || n == maxFlatMembers {
				return false
			}
			f := -1
			for _, sm := range m.strs {
				if string(key) == sm.name { // exact: an escaped or folded key is not a member here
					f = sm.index
					break
				}
			}
			if f < 0 {
				return false
			}
			for _, prev := range idx[:n] {
				if prev == f {
					return false // repeated
				}
			}
			s.space()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				return false
			}
			s.i++
			s.space()
			var v []byte
			switch {
			case bytes.HasPrefix(s.b[s.i:], []byte("null")):
				s.i += len("null")
				v = nil
			default:
				v, ok = s.plainStr()
				if !ok || !utf8.Valid(v) {
					return false
				}
				if v == nil {
					v = []byte{} // "": a member set to the empty string
				}
			}
			idx[n], vals[n] = f, v
			n++
			more, ok := s.next('}')
			if !ok {
				return false
			}
			if !more {
				break
			}
		}
	}
	if s.i != len(s.b) {
		return false
	}
	rv := reflect.ValueOf(in).Elem()
	for i := range n {
		if vals[i] == nil {
			continue // null leaves the member unset
		}
		v := string(vals[i])
		rv.Field(idx[i]).Set(reflect.ValueOf(&v))
	}
	return true
}

// plainStr reads a JSON string whose raw contents are its value: no escapes
// and no control characters (which JSON forbids).
func (s *keyScanner) plainStr() ([]byte, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	start := s.i + 1
	n := bytes.IndexByte(s.b[start:], '"')
	if n < 0 {
		return nil, false
	}
	v := s.b[start : start+n]
	for _, c := range v {
		if c == '\\' || c < 0x20 {
			return nil, false
		}
	}
	s.i = start + n + 1
	return v, true
}
