package httpapi

import (
	"errors"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/amplifylite/amplifylite/internal/awsproto"
	"github.com/amplifylite/amplifylite/internal/sigv4"
)

// serviceFor picks the service of a request other than AmplifyBackend: by
// the signing name of its credential scope (Options.Services), or, when it
// is not signed, by its path (Options.Public). A scope naming AmplifyBackend
// or a service not served here leaves the request to AmplifyBackend, whose
// verifier refuses a scope that is not its own.
func (s *Server) serviceFor(r *http.Request) (string, awsproto.Handler) {
	if len(s.opts.Services) == 0 && len(s.opts.Public) == 0 {
		return "", nil
	}
	if name, signed := signingName(r); signed {
		return name, s.opts.Services[name]
	}
	for _, pub := range s.public {
		if strings.HasPrefix(r.URL.Path, pub.prefix) {
			return "", pub.h
		}
	}
	return "", nil
}

// publicService is an entry of Options.Public.
type publicService struct {
	prefix string
	h      awsproto.Handler
}

// publicServices lists Options.Public, longest prefix first.
func publicServices(m map[string]awsproto.Handler) []publicService {
	var out []publicService
	for prefix, h := range m {
		out = append(out, publicService{prefix, h})
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i].prefix) > len(out[j].prefix) })
	return out
}

// signingName returns the service of the request's SigV4 credential scope
// (Authorization header or presigned X-Amz-Credential), and whether the
// request carries one at all. It runs on every request: it allocates only
// for a presigned URL.
func signingName(r *http.Request) (string, bool) {
	cred := ""
	if auth := authorization(r); auth != "" {
		_, after, ok := strings.Cut(auth, "Credential=")
		if !ok {
			return "", true
		}
		cred, _, _ = strings.Cut(after, ",")
	} else if !strings.Contains(r.URL.RawQuery, "X-Amz-Credential") {
		return "", false
	} else if cred = r.URL.Query().Get("X-Amz-Credential"); cred == "" {
		return "", false
	}
	// AKID/yyyymmdd/region/service/aws4_request
	for range 3 {
		_, rest, ok := strings.Cut(cred, "/")
		if !ok {
			return "", true
		}
		cred = rest
	}
	service, rest, ok := strings.Cut(cred, "/")
	if !ok || strings.TrimSpace(rest) != "aws4_request" {
		return "", true
	}
	return service, true
}

// serveService reads and authenticates a request of another service and
// hands it over; name is its signing name ("" for a public service, which
// is not authenticated).
func (s *Server) serveService(w http.ResponseWriter, r *http.Request, x *Exchange, name string, h awsproto.Handler) {
	req := &awsproto.Request{RequestID: x.RequestID}
	er := &errorRecorder{ResponseWriter: w}
	w = er
	defer func() { x.ErrorType = er.code }()
	prefix := name
	if prefix == "" {
		prefix = "public"
	}
	x.Operation = prefix + ":-"
	fail := func(e *awsproto.Error) {
		if n, ok := h.(awsproto.Namer); ok {
			x.Operation = prefix + ":" + n.Operation(r, req.Body)
		}
		if e.Status == http.StatusRequestEntityTooLarge || e.Code == awsproto.CodeTimeout {
			w.Header().Set("Connection", "close") // the rest of the body is still on the connection
		}
		h.Fail(w, r, req, e)
	}
	if r.ContentLength > MaxBodyBytes {
		fail(tooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			fail(tooLarge)
		case errors.Is(err, os.ErrDeadlineExceeded):
			fail(&awsproto.Error{Code: awsproto.CodeTimeout, Status: http.StatusRequestTimeout,
				Message: "The request body did not arrive within " + s.opts.ReadTimeout.String()})
		default:
			w.Header().Set("Connection", "close")
			fail(&awsproto.Error{Code: awsproto.CodeBadRequest, Status: http.StatusBadRequest, Message: "Could not read the request body: " + err.Error()})
		}
		return
	}
	req.Body = body
	if name == "" {
		req.Partition, err = partitionOf(r, s.opts.Region)
	} else {
		req.Partition, err = s.authenticate(r, body, x, name)
	}
	x.Account, x.Region = req.Partition.Account, req.Partition.Region
	if err != nil {
		var ae *sigv4.Error
		var we *wireError
		switch {
		case errors.As(err, &ae):
			fail(&awsproto.Error{Code: ae.Type, Status: http.StatusForbidden, Message: ae.Message})
		case errors.As(err, &we):
			fail(&awsproto.Error{Code: awsproto.CodeBadRequest, Status: http.StatusBadRequest, Message: we.Message})
		default:
			s.log.Error("internal error", "requestId", req.RequestID, "err", err)
			fail(&awsproto.Error{Code: awsproto.CodeInternal, Status: http.StatusInternalServerError, Message: "An internal error occurred; request id " + req.RequestID})
		}
		return
	}
	x.Operation = prefix + ":" + h.Serve(w, r, req)
}

var tooLarge = &awsproto.Error{Code: awsproto.CodeTooLarge, Status: http.StatusRequestEntityTooLarge,
	Message: "The request body exceeds the limit of " + strconv.Itoa(MaxBodyBytes) + " bytes"}

// errorRecorder learns the error code a service answered, for Exchange:
// only REST-JSON services name it in a header.
type errorRecorder struct {
	http.ResponseWriter
	code string
}

// RecordError implements awsproto.ErrorRecorder.
func (e *errorRecorder) RecordError(code string) { e.code = code }

// Unwrap gives http.ResponseController the connection's ResponseWriter.
func (e *errorRecorder) Unwrap() http.ResponseWriter { return e.ResponseWriter }
