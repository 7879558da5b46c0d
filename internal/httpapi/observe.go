package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// ControlPrefix is the path under which the control plane is served
// (Options.Control), besides MetricsPath.
const ControlPrefix = "/_amplifylite/"

// MetricsPath is the Prometheus endpoint, served by Options.Control.
const MetricsPath = "/metrics"

// HealthPath is the readiness endpoint, served by Options.Control.
const HealthPath = ControlPrefix + "health"

// IsControlPath reports whether a request path belongs to the control plane.
func IsControlPath(path string) bool {
	return strings.HasPrefix(path, ControlPrefix) || path == MetricsPath
}

// IsBrowserRoot reports whether r is a browser's request for the front page
// (GET or HEAD of / accepting text/html): the control plane redirects it to
// the console. API clients do not ask for HTML and get the API's answer.
func IsBrowserRoot(r *http.Request) bool {
	return r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

// Signature verdicts of an Exchange.
const (
	SignatureNone    = "none"    // not checked: no --credentials, or answered before the check
	SignatureValid   = "valid"   // a configured credential signed it
	SignatureInvalid = "invalid" // missing, unknown key or wrong signature
)

// Exchange is one API request as the edge answered it, told to
// Options.Observe. Control-plane requests are not reported.
type Exchange struct {
	Start     time.Time
	Duration  time.Duration
	RequestID string
	Operation string // "-" when no operation matched
	Method    string
	Path      string // escaped
	Status    int
	ErrorType string // the exception answered, "" on success
	Account   string // "" when answered before the partition was known
	Region    string
	Signature string // SignatureNone, SignatureValid or SignatureInvalid
	Fault     string // id of the fault rule that failed or delayed it, if any
}

// Call is an authenticated API request about to reach the domain, shown to
// Options.Faults.
type Call struct {
	Operation string
	Partition backend.Partition
	params    pathParams
	body      []byte
}

// AppID returns the app the request names: its appId path parameter, or
// the body's appId (CreateBackend); "" when it names none. The body is
// decoded only when asked.
func (c Call) AppID() string {
	if id, ok := c.params.get("appId"); ok {
		return id
	}
	if !bytes.Contains(c.body, []byte(`"appId"`)) {
		return ""
	}
	var in struct {
		AppID string `json:"appId"`
	}
	if json.Unmarshal(c.body, &in) != nil {
		return ""
	}
	return in.AppID
}

// Fault is what fault injection does to a Call: wait Delay, then, when Type
// is set, answer the AWS error (Status, Type, Message) instead of calling the
// domain. The zero Fault lets the call through.
type Fault struct {
	Rule    string // id of the rule, for the journal
	Delay   time.Duration
	Status  int
	Type    string
	Message string
}

// inject applies f. It reports whether the request was answered (an error,
// or the client gone during the delay).
func inject(ctx context.Context, w http.ResponseWriter, f Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			writeError(w, &wireError{Type: "RequestTimeoutException", Status: http.StatusRequestTimeout,
				Message: "The client went away during an injected delay"})
			return true
		}
	}
	if f.Type == "" {
		return false
	}
	writeError(w, &wireError{Type: f.Type, Status: f.Status, Message: f.Message})
	return true
}
