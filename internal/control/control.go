// Package control is amplifylite's control plane: the HTTP endpoints under
// /_amplifylite/ and /metrics that test suites and operators use beside the
// API. It injects faults into API requests, keeps a journal of them, streams
// request and job events, exports Prometheus metrics and reports build
// information and health. The HTTP edge (internal/httpapi) mounts it and calls
// its hooks (Inject, Observe); the domain and the store call OnJob and
// OnCommit.
package control

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/amplifylite/amplifylite/internal/httpapi"
)

// Paths of the endpoints every client may use, whatever the access rules.
const (
	HealthPath = httpapi.HealthPath
	InfoPath   = httpapi.ControlPrefix + "info"
)

// Config configures the control plane.
type Config struct {
	// Version is the version set at build time with -ldflags, used when
	// the binary's build information has no module version.
	Version string
	// Store names the store ("sqlite", "postgres").
	Store string
	// Health answers GET /_amplifylite/health; its error is a 503. Nil
	// answers {"status":"ok"}.
	Health func(context.Context) (any, error)
	// RunningJobs counts the RUNNING jobs of every partition, for the info
	// endpoint and the running-jobs gauge. Nil: not reported.
	RunningJobs func(context.Context) (int, error)
	// Protected is set when the API requires signatures (--credentials):
	// then every endpoint but health, info and metrics requires
	// "Authorization: Bearer AdminToken", and answers 403 when AdminToken
	// is empty.
	Protected  bool
	AdminToken string
	// JournalSize is how many requests the journal keeps (default 1000).
	JournalSize int
	// Logger receives the control plane's internal errors.
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// DefaultJournalSize is the number of requests the journal keeps by default.
const DefaultJournalSize = 1000

// Plane is the control plane: an http.Handler for its endpoints, and the
// hooks that feed it.
type Plane struct {
	cfg     Config
	build   Build
	started time.Time
	mux     func() *http.ServeMux // every route, built on first use
	exact   map[string]http.HandlerFunc
	faults  *faults
	journal *journal
	events  *hub
	metrics *metrics
	jobs    Jobs         // set once by SetJobs, before the server serves
	state   State        // set once by SetState, before the server serves
	console http.Handler // set once by SetConsole, before the server serves

	closeOnce sync.Once
	done      chan struct{} // closed by Close: event streams end
}

// New returns a control plane.
func New(cfg Config) *Plane {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.JournalSize <= 0 {
		cfg.JournalSize = DefaultJournalSize
	}
	p := &Plane{
		cfg:     cfg,
		build:   ReadBuild(cfg.Version),
		started: cfg.Now(),
		faults:  newFaults(),
		journal: newJournal(cfg.JournalSize),
		events:  newHub(),
		done:    make(chan struct{}),
	}
	p.metrics = newMetrics(p)
	p.register()
	return p
}

// Close ends the event streams, so that the HTTP server's shutdown does not
// wait for them. The plane keeps answering other requests.
func (p *Plane) Close() { p.closeOnce.Do(func() { close(p.done) }) }

// access is who may use an endpoint.
type access int

const (
	open  access = iota // anyone: health, info, metrics
	admin               // with --credentials, only the admin token's bearer
)

// route is one row of the route table.
type route struct {
	method, path string
	access       access
	handle       func(w http.ResponseWriter, r *http.Request) error
}

// routes is the control plane's route table. Paths are net/http ServeMux
// patterns.
func (p *Plane) routes() []route {
	return []route{
		{"GET", HealthPath, open, p.health},
		{"GET", InfoPath, open, p.info},
		{"GET", httpapi.MetricsPath, open, p.serveMetrics},

		{"GET", "/_amplifylite/faults", admin, p.listFaults},
		{"POST", "/_amplifylite/faults", admin, p.addFaults},
		{"DELETE", "/_amplifylite/faults", admin, p.clearFaults},
		{"GET", "/_amplifylite/faults/{id}", admin, p.getFault},
		{"DELETE", "/_amplifylite/faults/{id}", admin, p.deleteFault},

		{"GET", "/_amplifylite/requests", admin, p.listRequests},
		{"GET", "/_amplifylite/events", admin, p.streamEvents},

		{"GET", jobsConfigPath, admin, p.getJobsConfig},
		{"PUT", jobsConfigPath, admin, p.putJobsConfig},
		{"POST", jobsAdvancePath, admin, p.advanceJobs},

		{"GET", "/{$}", open, p.redirectToConsole},
		{"GET", ConsolePath, open, p.serveConsole},  // the console applies the access rules itself
		{"POST", ConsolePath, open, p.serveConsole}, // and protects its forms against CSRF

		{"POST", resetPath, admin, p.reset},
		{"GET", statePath, admin, p.exportState},
		{"POST", statePath, admin, p.importState},
	}
}

// register binds the route table: one handler per path, which checks
// access, then dispatches on the method. Unknown paths and methods get JSON
// errors too. The ServeMux of every path is built by the first request that
// needs it: registering a pattern records its caller's location (a
// runtime.Caller each) and checks it against every other, ~230 k
// instructions in all, which a start would pay before its first answer.
// Requests for a path without wildcards (health, info, metrics…) are
// served from exact without it, as the mux would serve them.
func (p *Plane) register() {
	byPath := map[string]map[string]route{}
	var order []string
	for _, rt := range p.routes() {
		if byPath[rt.path] == nil {
			byPath[rt.path] = map[string]route{}
			order = append(order, rt.path)
		}
		byPath[rt.path][rt.method] = rt
	}
	handlers := make([]http.HandlerFunc, len(order))
	p.exact = map[string]http.HandlerFunc{}
	for i, path := range order {
		handlers[i] = p.dispatch(path, byPath[path])
		if !strings.ContainsAny(path, "{}") && !strings.HasSuffix(path, "/") {
			p.exact[path] = handlers[i]
		}
	}
	p.mux = sync.OnceValue(func() *http.ServeMux {
		mux := http.NewServeMux()
		for i, path := range order {
			mux.HandleFunc(path, handlers[i])
		}
		mux.HandleFunc(httpapi.ControlPrefix, func(w http.ResponseWriter, r *http.Request) {
			if p.serveError(w, r, p.authorize(r, admin)) {
				return
			}
			p.serveError(w, r, errorf(http.StatusNotFound, "NotFoundException", "No control-plane endpoint at %s", r.URL.Path))
		})
		return mux
	})
}

// dispatch is the handler of one path, whose routes by method are methods.
func (p *Plane) dispatch(path string, methods map[string]route) http.HandlerFunc {
	var allow []string
	acc := open
	for m, rt := range methods {
		allow = append(allow, m)
		acc = max(acc, rt.access)
	}
	slices.Sort(allow)
	return func(w http.ResponseWriter, r *http.Request) {
		rt, ok := methods[r.Method]
		if r.Method == http.MethodHead {
			rt, ok = methods[http.MethodGet]
		}
		if r.Method == http.MethodOptions {
			preflight(w, r, allow)
			return
		}
		if !ok {
			if p.serveError(w, r, p.authorize(r, acc)) {
				return
			}
			w.Header().Set("Allow", strings.Join(allow, ", "))
			p.serveError(w, r, errorf(http.StatusMethodNotAllowed, "MethodNotAllowedException",
				"%s does not answer %s; it answers %s", r.URL.Path, r.Method, strings.Join(allow, ", ")))
			return
		}
		if p.serveError(w, r, p.authorize(r, rt.access)) {
			return
		}
		p.serveError(w, r, rt.handle(w, r))
	}
}

// ServeHTTP serves the control plane's endpoints. A request for a path
// without wildcards, unescaped, goes to its handler directly: the mux would
// choose the same (an exact pattern is the most specific; no other pattern
// has a host or a method) and, the path being clean, redirect nothing.
func (p *Plane) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := p.exact[r.URL.Path]; ok && r.URL.RawPath == "" && r.Method != http.MethodConnect {
		r.Pattern = r.URL.Path
		h(w, r)
		return
	}
	p.mux().ServeHTTP(w, r)
}

// authorize applies the access rules of Config.Protected to an endpoint.
func (p *Plane) authorize(r *http.Request, acc access) error {
	if acc == open || !p.cfg.Protected {
		return nil
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return p.checkToken(token, ok)
}

// checkToken applies the access rules of Config.Protected to a bearer
// token; given is false when the request carried none.
func (p *Plane) checkToken(token string, given bool) error {
	if !p.cfg.Protected {
		return nil
	}
	if p.cfg.AdminToken == "" {
		return errorf(http.StatusForbidden, "AccessDeniedException",
			"The control plane is closed: the server requires signatures (--credentials) and has no --admin-token")
	}
	if !given {
		return errorf(http.StatusForbidden, "AccessDeniedException",
			"The control plane requires the header 'Authorization: Bearer <admin token>' (--admin-token)")
	}
	if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(p.cfg.AdminToken)) != 1 {
		return errorf(http.StatusForbidden, "AccessDeniedException", "The bearer token is not the admin token")
	}
	return nil
}

// preflight answers a CORS preflight request for an endpoint.
func preflight(w http.ResponseWriter, r *http.Request, allow []string) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", strings.Join(append(allow, "OPTIONS"), ", "))
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	} else {
		h.Set("Access-Control-Allow-Headers", "*")
	}
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusOK)
}

// Error is a control-plane failure as the client sees it: the status, and
// the body {"__type": Type, "message": Message}, as the API's errors.
type Error struct {
	Status  int
	Type    string
	Message string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

func errorf(status int, typ, format string, args ...any) *Error {
	return &Error{Status: status, Type: typ, Message: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, "BadRequestException", format, args...)
}

// serveError answers err, if any, and reports whether it did. Errors other
// than *Error are internal: logged, and answered 500 without detail.
func (p *Plane) serveError(w http.ResponseWriter, r *http.Request, err error) bool {
	if err == nil {
		return false
	}
	e, ok := err.(*Error)
	if !ok {
		p.cfg.Logger.Error("control plane", "path", r.URL.Path, "err", err)
		e = errorf(http.StatusInternalServerError, "InternalServiceException", "An internal error occurred; see the server log")
	}
	w.Header()["x-amzn-ErrorType"] = []string{e.Type}
	writeJSON(w, e.Status, struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Type, e.Message})
	return true
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"__type":"InternalServiceException","message":"response encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// readJSON decodes a request body of at most 1 MiB into v, refusing unknown
// members so that a misspelt rule field is not silently ignored.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("The request body is not valid JSON for this endpoint: %v", err)
	}
	if dec.More() {
		return badRequest("The request body holds more than one JSON value")
	}
	return nil
}
