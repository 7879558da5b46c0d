package httpapi

import (
	"errors"
	"io"
	"net/http"
	"os"
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
	for prefix, h := range s.opts.Public {
		if strings.HasPrefix(r.URL.Path, prefix) {
			return "", h
		}
	}
	return "", nil
}

// signingName returns the service of the request's SigV4 credential scope
// (Authorization header or presigned X-Amz-Credential), and whether the
// request carries one at all.
func signingName(r *http.Request) (string, bool) {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		_, after, ok := strings.Cut(auth, "Credential=")
		if !ok {
			return "", true
		}
		cred, _, _ = strings.Cut(after, ",")
	} else if cred = r.URL.Query().Get("X-Amz-Credential"); cred == "" {
		return "", false
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 {
		return "", true
	}
	return parts[3], true
}

// serveService reads and authenticates a request of another service and
// hands it over; name is its signing name ("" for a public service, which
// is not authenticated).
func (s *Server) serveService(w http.ResponseWriter, r *http.Request, x *Exchange, name string, h awsproto.Handler) {
	req := &awsproto.Request{RequestID: x.RequestID}
	prefix := name
	if prefix == "" {
		prefix = "public"
	}
	x.Operation = prefix + ":-"
	fail := func(e *awsproto.Error) {
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
