package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

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
	// calls the domain and returns the output to encode.
	call func(ctx context.Context, p backend.Partition, params map[string]string, body []byte) (any, error)
}

// validatable is the pointer type of an input structure.
type validatable[I any] interface {
	*I
	Validate() error
}

// op builds a table row for the named operation: its method and path come
// from the service model, its input and output types from fn's signature.
func op[I, O any, PI validatable[I]](name string, fn func(context.Context, backend.Partition, PI) (*O, error)) route {
	info, ok := amplifybackend.OperationByName(name)
	if !ok {
		panic("httpapi: unknown operation " + name)
	}
	uriFields := uriFieldsOf(reflect.TypeFor[I]())
	return route{
		op:   info,
		tmpl: compileTemplate(info.Path),
		call: func(ctx context.Context, p backend.Partition, params map[string]string, body []byte) (any, error) {
			in := PI(new(I))
			if err := decodeBody(body, in); err != nil {
				return nil, err
			}
			rv := reflect.ValueOf(in).Elem()
			for name, idx := range uriFields {
				v := params[name]
				if err := backend.CheckName(name, v); err != nil {
					return nil, err
				}
				rv.Field(idx).Set(reflect.ValueOf(&v))
			}
			if err := in.Validate(); err != nil {
				return nil, err
			}
			return fn(ctx, p, in)
		},
	}
}

// uriFieldsOf maps each path parameter name to the index of its *string field.
func uriFieldsOf(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := range t.NumField() {
		if name := t.Field(i).Tag.Get("uri"); name != "" {
			m[name] = i
		}
	}
	return m
}

// decodeBody fills in from a JSON object body. An empty body equals {};
// unknown keys are ignored; syntax errors and type mismatches are
// BadRequestException naming the member. Keys match wire names exactly:
// encoding/json alone would also fill appId from "APPID".
func decodeBody(body []byte, in any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return badRequest("The request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("Could not parse request body into json: unexpected data after the top-level object")
	}
	dropUnknownKeys(raw, reflect.TypeOf(in))
	exact, err := json.Marshal(raw)
	if err != nil {
		return decodeError(err)
	}
	if err := json.Unmarshal(exact, in); err != nil {
		return decodeError(err)
	}
	return nil
}

// dropUnknownKeys removes from v (decoded JSON) every object key that is not
// exactly the wire name of a member of t, recursively.
func dropUnknownKeys(v any, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		members := map[string]reflect.Type{}
		for f := range t.Fields() {
			tag := f.Tag.Get("json")
			if tag == "-" || !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			members[name] = f.Type
		}
		for k, x := range obj {
			if mt, ok := members[k]; ok {
				dropUnknownKeys(x, mt)
			} else {
				delete(obj, k)
			}
		}
	case reflect.Slice:
		if list, ok := v.([]any); ok {
			for _, x := range list {
				dropUnknownKeys(x, t.Elem())
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

// writeJSON writes v as the response body, without HTML escaping.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		status = http.StatusInternalServerError
		w.Header()["x-amzn-ErrorType"] = []string{"InternalServiceException"}
		buf.WriteString(`{"__type":"InternalServiceException","message":"response encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
