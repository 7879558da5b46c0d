package awsproto

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// JSON11 is the skeleton of a service speaking AWS JSON 1.1 (POST / with
// X-Amz-Target: <Prefix><Operation>, application/x-amz-json-1.1 both ways,
// errors as REST-JSON's). A Handler embeds it for Fail and Operation.
type JSON11 struct {
	Prefix  string // the target prefix, e.g. "AmazonSSM."
	Service string // the service's name in messages, e.g. "Systems Manager"
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
