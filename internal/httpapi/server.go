// Package httpapi is the REST-JSON edge of amplifylite: the table of all 31
// operations, the generic decode → validate → call → encode adapter, CORS,
// request ids and the one place where errors become AWS-style responses.
package httpapi

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/amplifylite/amplifylite/internal/awsproto"
	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/sigv4"
)

// Options configures the HTTP edge.
type Options struct {
	// Region is the region of unsigned requests.
	Region string
	// Logger receives one line per request and every internal error.
	Logger *slog.Logger
	// Control, when set, serves every path under ControlPrefix and
	// MetricsPath: the control plane. Its requests get a request id, CORS
	// and a log line, and are not reported to Observe.
	Control http.Handler
	// Faults, when set, is asked about every authenticated API request
	// before it reaches the domain, whether to delay or fail it.
	Faults func(Call) Fault
	// Observe, when set, is told of every API request once it is answered.
	// It runs on the request's goroutine, so it must be quick.
	Observe func(Exchange)
	// Verifier, when set, requires a valid SigV4 signature by one of its
	// credentials on every API request; the credential selects the account.
	Verifier *sigv4.Verifier
	// Services are the AWS services served beside AmplifyBackend, by the
	// signing name of the request's credential scope (services.go).
	Services map[string]awsproto.Handler
	// Public are services answered without authentication, by path prefix
	// (AppState), when the request is not signed.
	Public map[string]awsproto.Handler
	// ReadTimeout, when positive, is how long a request's body may take to
	// arrive, from the start of the handler; a slower client gets 408 and the
	// connection is closed.
	ReadTimeout time.Duration
}

// Server serves the AmplifyBackend API over HTTP.
type Server struct {
	routes []route
	// byShape indexes routes by method and number of segments, in table
	// order; built at the first lookup.
	byShape func() map[string]*[maxSegments + 1][]*route
	opts    Options
	log     *slog.Logger
	public  []publicService // Options.Public (services.go)
	ids     *requestIDs
}

// New returns the HTTP handler of the API backed by svc.
func New(svc *backend.Service, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	s := &Server{routes: table(svc), opts: opts, log: opts.Logger, public: publicServices(opts.Public), ids: newRequestIDs()}
	s.byShape = sync.OnceValue(func() map[string]*[maxSegments + 1][]*route {
		m := map[string]*[maxSegments + 1][]*route{}
		for i := range s.routes {
			rt := &s.routes[i]
			if m[rt.op.Method] == nil {
				m[rt.op.Method] = new([maxSegments + 1][]*route)
			}
			n := len(rt.tmpl.segs)
			m[rt.op.Method][n] = append(m[rt.op.Method][n], rt)
		}
		return m
	})
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	// Only while a body remains: without one, net/http is already reading
	// the connection in the background, and a deadline there would cancel
	// the request's context. The deadline also bounds net/http's discarding
	// of a body the handler did not read.
	if r.ContentLength != 0 && s.opts.ReadTimeout > 0 {
		_ = http.NewResponseController(w).SetReadDeadline(start.Add(s.opts.ReadTimeout))
	}
	// What the edge keeps of the request, in one allocation.
	st := &struct {
		rec statusRecorder
		x   Exchange
		id  [1]string // the x-amzn-RequestId header's value
	}{rec: statusRecorder{ResponseWriter: w}}
	reqID := s.ids.next()
	st.id[0] = reqID
	h := w.Header()
	h["x-amzn-RequestId"] = st.id[:] // exact casing, as AWS sends it; len = cap, so an append copies
	h["Access-Control-Allow-Origin"] = allowOrigin
	h["Access-Control-Expose-Headers"] = exposeHeaders
	if len(r.TransferEncoding) > 0 {
		// RFC 9112 §6.1: a request with both Transfer-Encoding and
		// Content-Length (a possible smuggling attempt) must close the
		// connection after the answer. net/http deletes the Content-Length
		// header before the handler runs, so the two cannot be told apart
		// from Transfer-Encoding alone: every such request closes it.
		h.Set("Connection", "close")
	}
	rec, x := &st.rec, &st.x
	*x = Exchange{Start: start, RequestID: reqID, Operation: "-", Method: r.Method, Path: r.URL.EscapedPath(), Signature: SignatureNone}
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("panic", "requestId", reqID, "panic", v, "stack", string(debug.Stack()))
			if rec.status == 0 {
				writeError(rec, &wireError{Type: "InternalServiceException", Status: http.StatusInternalServerError,
					Message: "An internal error occurred; request id " + reqID})
			}
		}
		x.Duration, x.Status = time.Since(start), rec.status
		if s.log.Enabled(r.Context(), slog.LevelInfo) {
			s.log.Info("request", "op", x.Operation, "method", r.Method, "path", x.Path,
				"status", x.Status, "duration", x.Duration, "requestId", reqID)
		}
		if s.opts.Observe != nil && x.Operation != controlOp {
			if t := h["x-amzn-ErrorType"]; len(t) > 0 {
				x.ErrorType = t[0]
			}
			s.opts.Observe(*x)
		}
	}()
	s.serve(rec, r, x)
}

// Header values every response carries, shared (net/http only reads them).
var (
	allowOrigin   = []string{"*"}
	exposeHeaders = []string{"x-amzn-RequestId, x-amzn-ErrorType, x-amz-apigw-id"}
	jsonType      = []string{"application/json"}
)

// controlOp is the operation name of control-plane requests in the log.
const controlOp = "Control"

// serve handles one request and fills in what x reports of it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, x *Exchange) {
	if s.opts.Control != nil && (IsControlPath(r.URL.Path) || IsBrowserRoot(r)) {
		x.Operation = controlOp
		s.opts.Control.ServeHTTP(w, r)
		return
	}
	reqID := x.RequestID
	if r.Method == http.MethodOptions {
		h := w.Header()
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		} else {
			h.Set("Access-Control-Allow-Headers", "*")
		}
		h.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusOK)
		x.Operation = "OPTIONS"
		return
	}
	if name, h := s.serviceFor(r); h != nil {
		s.serveService(w, r, x, name, h)
		return
	}
	rt, params, err := s.lookup(r.Method, x.Path)
	if err != nil {
		if _, ok := err.(*sigv4.Error); ok {
			x.Signature = SignatureInvalid
		}
		writeError(w, toWire(err, s.log, reqID))
		return
	}
	x.Operation = rt.op.Name
	if r.ContentLength > MaxBodyBytes {
		// Before reading, so that a client waiting on "Expect: 100-continue"
		// gets the answer instead of 100 Continue (net/http sends it on the
		// first read) and never sends the body.
		w.Header().Set("Connection", "close")
		writeError(w, errBodyTooLarge)
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			err = errBodyTooLarge
		case errors.Is(err, os.ErrDeadlineExceeded):
			err = &wireError{Type: "RequestTimeoutException", Status: http.StatusRequestTimeout,
				Message: "The request body did not arrive within " + s.opts.ReadTimeout.String()}
		default:
			err = badRequest("Could not read the request body: " + err.Error())
		}
		w.Header().Set("Connection", "close") // the rest of the body is still on the connection
		writeError(w, toWire(err, s.log, reqID))
		return
	}
	p, err := s.partition(r, body, x)
	x.Account, x.Region = p.Account, p.Region
	if err != nil {
		writeError(w, toWire(err, s.log, reqID))
		return
	}
	if s.opts.Faults != nil {
		if f := s.opts.Faults(Call{Operation: rt.op.Name, Partition: p, params: params, body: body}); f.Rule != "" {
			x.Fault = f.Rule
			if inject(r.Context(), w, f) {
				return
			}
		}
	}
	out, err := rt.call(r.Context(), p, params, body)
	if err != nil {
		writeError(w, toWire(err, s.log, reqID))
		return
	}
	writeBody(w, http.StatusOK, out)
}

// presizedBodyBytes bounds the buffer made for a body before it arrives:
// a larger one grows as it comes, so that a client announcing big bodies it
// does not send costs no memory.
const presizedBodyBytes = 64 << 10

// readBody reads the request body, at most MaxBodyBytes of it. A small body
// of known length is read into a buffer of that size.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength < 0 || r.ContentLength > presizedBodyBytes {
		return io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	}
	// net/http's body reader ends at the Content-Length (an early end is
	// io.ErrUnexpectedEOF) and tells the connection it reached the end.
	body := make([]byte, r.ContentLength)
	if _, err := io.ReadFull(r.Body, body); err != nil {
		return nil, err
	}
	return body, nil
}

var errBodyTooLarge = badRequest("The request body exceeds the limit of " + strconv.Itoa(MaxBodyBytes) + " bytes")

// lookup finds the operation for the request's method and escaped path.
// A path with a "." or ".." segment is refused: clients sign it with the dots
// resolved, so it would be verified as one path and routed as another. When
// signatures are required that is an invalid signature (403), else 400.
func (s *Server) lookup(method, path string) (*route, pathParams, error) {
	if seg, ok := dotSegment(path); ok {
		msg := "The request path must not contain a '" + seg + "' segment"
		if s.opts.Verifier != nil {
			return nil, pathParams{}, &sigv4.Error{Type: "InvalidSignatureException", Message: msg + "; send the path the request was signed for"}
		}
		return nil, pathParams{}, badRequest(msg)
	}
	var buf [maxSegments]string
	segs, ok := appendSegments(buf[:0], path)
	if ok {
		if shapes := s.byShape()[method]; shapes != nil && len(segs) <= maxSegments {
			for _, rt := range shapes[len(segs)] {
				if rt.tmpl.fits(segs) {
					return rt, rt.tmpl.values(segs), nil
				}
			}
		}
	}
	return nil, pathParams{}, &wireError{Type: "UnknownOperationException", Status: http.StatusNotFound,
		Message: "No operation matches " + method + " " + path}
}

// statusRecorder remembers the status written, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap gives http.ResponseController the connection's ResponseWriter.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}
