package awsproto

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// JSON11 is the skeleton of a service speaking AWS JSON 1.1 (POST / with
// X-Amz-Target: <Prefix><Operation>, application/x-amz-json-1.1 both ways,
// errors as REST-JSON's) on the domain. A Handler embeds it for Fail and
// Operation.
type JSON11 struct {
	Prefix  string // the target prefix, e.g. "AmazonSSM."
	Service string // the service's name in messages, e.g. "Systems Manager"
	Svc     *backend.Service
	Log     *slog.Logger // receives internal errors
}

// Op returns the operation a request names, or the UnknownOperationException
// to answer.
func (j JSON11) Op(r *http.Request) (string, *Error) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, j.Prefix)
	if r.Method != http.MethodPost || !ok || op == "" {
		return "-", &Error{Code: "UnknownOperationException", Status: http.StatusBadRequest,
			Message: "No " + j.Service + " operation matches " + r.Method + " " + target}
	}
	return op, nil
}

// Unserved is the error for an operation the service does not serve; served
// lists those it does.
func (j JSON11) Unserved(op string, served ...string) *Error {
	list := strings.Join(served, ", ")
	if n := len(served); n > 1 {
		list = strings.Join(served[:n-1], ", ") + " and " + served[n-1]
	}
	return &Error{Code: "UnknownOperationException", Status: http.StatusBadRequest,
		Message: "amplifylite serves only " + list + " of " + j.Service + ", not " + op}
}

// Decode reads a request body into v; an empty body is an empty object.
func (JSON11) Decode(body []byte, v any) *Error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &Error{Code: "SerializationException", Status: http.StatusBadRequest,
			Message: "The request body is not a valid JSON object: " + err.Error()}
	}
	return nil
}

// Write answers out, or e when it is not nil.
func (j JSON11) Write(w http.ResponseWriter, out any, e *Error) {
	if e != nil {
		j.Fail(w, nil, nil, e)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	WriteJSON(w, http.StatusOK, out)
}

// Fail answers a refused request in JSON 1.1.
func (JSON11) Fail(w http.ResponseWriter, _ *http.Request, _ *Request, e *Error) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	WriteJSONError(w, e)
}

// Operation names a request's operation: its X-Amz-Target's.
func (j JSON11) Operation(r *http.Request, _ []byte) string {
	if op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), j.Prefix); ok && op != "" {
		return op
	}
	return "-"
}

// Invalid is the error listing the constraints an input breaks (errs), as
// AWS words it, with the service's code for it; nil when errs is empty.
func Invalid(code string, errs []string) *Error {
	if len(errs) == 0 {
		return nil
	}
	noun := "error"
	if len(errs) > 1 {
		noun = "errors"
	}
	return &Error{Code: code, Status: http.StatusBadRequest,
		Message: fmt.Sprintf("%d validation %s detected: %s", len(errs), noun, strings.Join(errs, "; "))}
}

// Page returns the items (sorted by key) after the one a NextToken names,
// at most max of them, and the token of the rest ("" when none is left);
// ok is false when token is not one Page made.
func Page[T any](items []T, key func(T) string, token string, max int) (page []T, next string, ok bool) {
	after := ""
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			return nil, "", false
		}
		after = string(raw)
	}
	page = []T{}
	for _, it := range items {
		if key(it) <= after {
			continue
		}
		if len(page) == max {
			return page, base64.RawURLEncoding.EncodeToString([]byte(key(page[len(page)-1]))), true
		}
		page = append(page, it)
	}
	return page, "", true
}
