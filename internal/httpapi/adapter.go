package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"unicode/utf8"

	"github.com/amplifylite/amplifylite/amplifybackend"
	"github.com/amplifylite/amplifylite/internal/backend"
)

// MaxBodyBytes is the largest request body accepted; larger bodies get 400
// BadRequestException. 1 MiB holds any realistic GraphQL transform schema.
const MaxBodyBytes = 1 << 20

// route is one row of the operation table.
type route struct {
	op   amplifybackend.Operation
	tmpl template
	// call decodes the request into the operation's input, validates it,
	// calls the domain and returns the output's encoding.
	call func(ctx context.Context, p backend.Partition, params pathParams, body []byte) ([]byte, error)
}

// validatable is the pointer type of an input structure.
type validatable[I any] interface {
	*I
	Validate() error
}

// op builds a table row for the named operation: its method and path come
// from the service model, its input and output types from fn's signature.
func op[I, O any, PI validatable[I]](name string, fn func(context.Context, backend.Partition, PI) (*O, error)) route {
	return opEncoded(name, fn, func(out *O) ([]byte, error) { return encodeJSON(out) })
}

// memoized is op for a domain method that hands the same answer (the same
// *O, never modified) to many callers: each answer is encoded once.
func memoized[I, O any, PI validatable[I]](name string, fn func(context.Context, backend.Partition, PI) (*O, error)) route {
	return opEncoded(name, fn, new(memo[O]).encode)
}

func opEncoded[I, O any, PI validatable[I]](name string, fn func(context.Context, backend.Partition, PI) (*O, error), encode func(*O) ([]byte, error)) route {
	info, ok := amplifybackend.OperationByName(name)
	if !ok {
		panic("httpapi: unknown operation " + name)
	}
	// At first use, not at startup (reflection over the input's fields).
	uriFields := sync.OnceValue(func() []uriField { return uriFieldsOf(reflect.TypeFor[I]()) })
	shape := sync.OnceValue(func() *members { return membersOf(reflect.TypeFor[I]()) })
	return route{
		op:   info,
		tmpl: compileTemplate(info.Path),
		call: func(ctx context.Context, p backend.Partition, params pathParams, body []byte) ([]byte, error) {
			in := PI(new(I))
			if err := decodeBodyVia(body, in, shape()); err != nil {
				return nil, err
			}
			rv := reflect.ValueOf(in).Elem()
			for _, f := range uriFields() {
				v, _ := params.get(f.name)
				if err := backend.CheckName(f.name, v); err != nil {
					return nil, err
				}
				rv.Field(f.index).Set(reflect.ValueOf(&v))
			}
			if err := in.Validate(); err != nil {
				return nil, err
			}
			out, err := fn(ctx, p, in)
			if err != nil {
				return nil, err
			}
			return encode(out)
		},
	}
}

// uriField is a path parameter of an input: its name and the index of its
// *string field.
type uriField struct {
	name  string
	index int
}

// uriFieldsOf lists the path parameters of an input type, in field order.
func uriFieldsOf(t reflect.Type) []uriField {
	var fs []uriField
	for i := range t.NumField() {
		if name := t.Field(i).Tag.Get("uri"); name != "" {
			fs = append(fs, uriField{name, i})
		}
	}
	return fs
}

// decodeBody fills in from a JSON object body. An empty body equals {};
// unknown keys are ignored; syntax errors and type mismatches are
// BadRequestException naming the member. Keys match wire names exactly:
// encoding/json alone would also fill appId from "APPID".
func decodeBody(body []byte, in any) error {
	return decodeBodyVia(body, in, membersOf(reflect.TypeOf(in)))
}

// decodeBodyVia is decodeBody given the shape m of in's type, taking a fast
// path when it can; with a nil m it takes only the three-step path (tests
// compare the paths).
func decodeBodyVia(body []byte, in any, m *members) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return badRequest("The request body must be a JSON object")
	}
	// The fast paths: a flat object of string members is filled directly;
	// else, when every key is exact, decoding straight into in gives the
	// same value as the slow path below. Any error is reported by the slow
	// path, so that messages do not depend on the path.
	if m != nil && decodeFlat(body, in, m) {
		return nil
	}
	if err := checkText(body); err != nil {
		return err
	}
	if m != nil && exactKeys(body, m) && json.Unmarshal(body, in) == nil {
		return nil
	}
	reflect.ValueOf(in).Elem().SetZero() // a failed fast decode may have filled part of it
	return decodeDropping(body, in)
}

// decodeDropping decodes a JSON object body (already checked by checkText)
// into in in three steps: to a map, dropping every key that is not exactly a
// member's wire name, and from the re-encoded map into in.
func decodeDropping(body []byte, in any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("Could not parse request body into json: unexpected data after the top-level object")
	}
	dropUnknownKeys(raw, membersOf(reflect.TypeOf(in)))
	exact, err := json.Marshal(raw)
	if err != nil {
		return decodeError(err)
	}
	if err := json.Unmarshal(exact, in); err != nil {
		return decodeError(err)
	}
	return nil
}

// checkText refuses what encoding/json would silently turn into U+FFFD: bytes
// that are not UTF-8 and \u escapes of unpaired UTF-16 surrogates. Otherwise
// "bad\xff" and "bad\xfe" would name the same app.
func checkText(body []byte) error {
	if i := invalidUTF8At(body); i >= 0 {
		return badRequest(fmt.Sprintf("Could not parse request body into json: invalid UTF-8 at offset %d", i))
	}
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		i++ // the escaped character; a backslash inside a string is always followed by one
		if i >= len(body) || body[i] != 'u' {
			continue
		}
		r, ok := hex4(body, i+1)
		switch {
		case !ok:
			continue // the decoder reports malformed escapes
		case r >= 0xD800 && r < 0xDC00: // high surrogate: a low one must follow
			if lo, ok := hex4(body, i+7); ok && i+6 < len(body) && body[i+5] == '\\' && body[i+6] == 'u' && lo >= 0xDC00 && lo < 0xE000 {
				i += 10
				continue
			}
			return badRequest(fmt.Sprintf("Could not parse request body into json: unpaired UTF-16 surrogate \\u%04X at offset %d", r, i-1))
		case r >= 0xDC00 && r < 0xE000:
			return badRequest(fmt.Sprintf("Could not parse request body into json: unpaired UTF-16 surrogate \\u%04X at offset %d", r, i-1))
		}
		i += 4
	}
	return nil
}

// invalidUTF8At returns the offset of the first byte of b that is not part of
// valid UTF-8, or -1.
func invalidUTF8At(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// hex4 reads four hex digits at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// dropUnknownKeys removes from v (decoded JSON) every object key that is not
// exactly the wire name of a member of the shape m, recursively.
func dropUnknownKeys(v any, m *members) {
	switch {
	case m == nil:
	case m.isObj:
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		for k, x := range obj {
			if sub, ok := m.fields[k]; ok {
				dropUnknownKeys(x, sub)
			} else {
				delete(obj, k)
			}
		}
	default:
		if list, ok := v.([]any); ok {
			for _, x := range list {
				dropUnknownKeys(x, m.elem)
			}
		}
	}
}

func decodeError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return badRequest(fmt.Sprintf("Could not parse request body into json: %s at offset %d", se.Error(), se.Offset))
	case errors.As(err, &te):
		return badRequest(fmt.Sprintf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be of type %s, got JSON %s",
			te.Field, jsonKind(te.Type), te.Value))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("Could not parse request body into json: unexpected end of input")
	}
	return badRequest("Could not parse request body into json: " + err.Error())
}

// jsonKind names the JSON type a Go type decodes from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "list"
	default:
		return "structure"
	}
}
