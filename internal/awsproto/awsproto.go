// Package awsproto is what the AWS services served beside AmplifyBackend on
// the same port (Amplify Hosting, S3, STS, CloudFormation, AppState) share
// with the HTTP edge: the request the edge hands over once it is read and
// authenticated, the Handler each service implements, and the error and
// response encodings of the protocols they speak (REST-JSON, the query
// protocol's XML, S3's REST-XML).
package awsproto

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// Request is an API request the edge has read and authenticated.
type Request struct {
	Partition backend.Partition
	Body      []byte
	RequestID string
}

// Handler is one AWS service. The edge picks it by the signing name of the
// request's SigV4 credential scope (or, for a public service, by path).
type Handler interface {
	// Serve answers an authenticated request and returns the name of the
	// operation it matched ("-" when none did).
	Serve(w http.ResponseWriter, r *http.Request, req *Request) string
	// Fail answers a request the edge refused before it reached the
	// service (authentication, size, timeout), in the service's protocol.
	Fail(w http.ResponseWriter, r *http.Request, req *Request, e *Error)
}

// Namer is a Handler that can name a request's operation without serving
// it, for the journal of a request refused before it reached the service.
type Namer interface {
	Operation(r *http.Request, body []byte) string
}

// Error is a failure as a service reports it: the AWS error code, the HTTP
// status and the message. The edge's refusals use the codes below; each
// protocol's writer renames them to what the service calls them.
type Error struct {
	Code    string
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Codes of the edge's refusals (the sigv4 package's names and the edge's own).
const (
	CodeMissingAuth      = "MissingAuthenticationTokenException"
	CodeUnknownKey       = "UnrecognizedClientException"
	CodeInvalidSignature = "InvalidSignatureException"
	CodeTooLarge         = "RequestEntityTooLargeException"
	CodeTimeout          = "RequestTimeoutException"
	CodeBadRequest       = "BadRequestException"
	CodeInternal         = "InternalFailure"
)

// ErrorRecorder is a ResponseWriter that wants to know the error code a
// writer below answered (the edge's request journal and metrics).
type ErrorRecorder interface{ RecordError(code string) }

func record(w http.ResponseWriter, code string) {
	if r, ok := w.(ErrorRecorder); ok {
		r.RecordError(code)
	}
}

// WriteJSONError answers e in REST-JSON, as AWS's REST-JSON services do:
// the code in x-amzn-ErrorType and the body's __type, the message in the body.
func WriteJSONError(w http.ResponseWriter, e *Error) {
	w.Header()["x-amzn-ErrorType"] = []string{e.Code}
	record(w, e.Code)
	WriteJSON(w, e.Status, struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Code, e.Message})
}

// WriteJSON answers v as JSON with the status, as application/json unless
// a Content-Type is set already (JSON 1.1's application/x-amz-json-1.1).
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		status = http.StatusInternalServerError
		buf.WriteString(`{"__type":"InternalFailure","message":"response encoding failed"}`)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// queryCodes renames the edge's codes to the query protocol's (STS, CloudFormation).
var queryCodes = map[string]string{
	CodeMissingAuth:      "MissingAuthenticationToken",
	CodeUnknownKey:       "InvalidClientTokenId",
	CodeInvalidSignature: "SignatureDoesNotMatch",
	CodeTooLarge:         "RequestEntityTooLarge",
	CodeTimeout:          "RequestTimeout",
	CodeBadRequest:       "InvalidParameterValue",
	CodeInternal:         "InternalFailure",
}

// WriteQueryError answers e as the query protocol does: an ErrorResponse
// document naming who is at fault (Sender for 4xx, Receiver for 5xx).
func WriteQueryError(w http.ResponseWriter, requestID string, e *Error) {
	code := e.Code
	if c, ok := queryCodes[code]; ok {
		code = c
	}
	record(w, code)
	fault := "Sender"
	if e.Status >= 500 {
		fault = "Receiver"
	}
	type errorBody struct {
		Type    string
		Code    string
		Message string
	}
	WriteXML(w, e.Status, struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Error     errorBody
		RequestID string `xml:"RequestId"`
	}{Error: errorBody{fault, code, e.Message}, RequestID: requestID})
}

// QueryResponse wraps an operation's result as the query protocol does:
// <{Action}Response xmlns=...><{Action}Result>…</{Action}Result><ResponseMetadata>.
func QueryResponse(w http.ResponseWriter, xmlns, action, requestID string, result any) {
	var inner bytes.Buffer
	if err := xml.NewEncoder(&inner).Encode(result); err != nil {
		WriteQueryError(w, requestID, &Error{Code: CodeInternal, Status: http.StatusInternalServerError, Message: "response encoding failed"})
		return
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<` + action + `Response xmlns="` + xmlns + `">`)
	b.Write(inner.Bytes())
	b.WriteString(`<ResponseMetadata><RequestId>`)
	xml.EscapeText(&b, []byte(requestID))
	b.WriteString(`</RequestId></ResponseMetadata></` + action + `Response>`)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
}

// s3Codes renames the edge's codes to S3's.
var s3Codes = map[string]string{
	CodeMissingAuth:      "AccessDenied",
	CodeUnknownKey:       "InvalidAccessKeyId",
	CodeInvalidSignature: "SignatureDoesNotMatch",
	CodeTooLarge:         "MaxMessageLengthExceeded",
	CodeTimeout:          "RequestTimeout",
	CodeBadRequest:       "InvalidRequest",
	CodeInternal:         "InternalError",
}

// WriteS3Error answers e as S3 does: an Error document with the code, the
// message, the resource and the request id, also in x-amz-request-id. A
// HEAD answer has no body.
func WriteS3Error(w http.ResponseWriter, r *http.Request, requestID, resource string, e *Error) {
	code := e.Code
	if c, ok := s3Codes[code]; ok {
		code = c
	}
	w.Header().Set("x-amz-request-id", requestID)
	record(w, code)
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	WriteXML(w, e.Status, struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string
		Message   string
		Resource  string `xml:",omitempty"`
		RequestID string `xml:"RequestId"`
	}{Code: code, Message: e.Message, Resource: resource, RequestID: requestID})
}

// WriteXML answers v as an XML document with the status.
func WriteXML(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	if err := xml.NewEncoder(&b).Encode(v); err != nil {
		b.Reset()
		status = http.StatusInternalServerError
		b.WriteString(xml.Header + "<Error><Code>InternalError</Code><Message>response encoding failed</Message></Error>")
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// QueryForm returns the parameters of a query-protocol request: the
// URL-encoded body of a POST, or the query string of a GET.
func QueryForm(r *http.Request, body []byte) (url.Values, *Error) {
	raw := r.URL.RawQuery
	if r.Method == http.MethodPost {
		raw = string(body)
	} else if r.Method != http.MethodGet {
		return nil, &Error{Code: "InvalidAction", Status: http.StatusBadRequest, Message: "The query protocol takes GET or POST, not " + r.Method}
	}
	form, err := url.ParseQuery(raw)
	if err != nil {
		return nil, &Error{Code: "MalformedQueryString", Status: http.StatusBadRequest, Message: "The request parameters do not decode: " + err.Error()}
	}
	return form, nil
}

// Internal logs an error the client did not cause, in full, and returns what
// the client is shown of it: a 500 with the request id. Each protocol's
// writer names it as its service does.
func Internal(log *slog.Logger, requestID string, err error) *Error {
	log.Error("internal error", "requestId", requestID, "err", err)
	return &Error{Code: CodeInternal, Status: http.StatusInternalServerError, Message: "An internal error occurred; request id " + requestID}
}

// QueryAction names a query-protocol request's operation (its Action).
func QueryAction(r *http.Request, body []byte) string {
	if form, err := QueryForm(r, body); err == nil && form.Get("Action") != "" {
		return form.Get("Action")
	}
	return "-"
}
