// Package hosting serves Amplify Hosting's apps and backend environments
// (signing name "amplify", REST-JSON), the calls the Amplify CLI makes on
// `amplify pull`, on the domain's apps and environments: one table of
// operations and one adapter (decode → path and query parameters →
// validate → call → encode), as internal/httpapi does for AmplifyBackend.
package hosting

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	ah "github.com/amplifylite/amplifylite/amplifyhosting"
	"github.com/amplifylite/amplifylite/internal/awsproto"
	"github.com/amplifylite/amplifylite/internal/backend"
)

// Handler serves Amplify Hosting.
type Handler struct {
	routes []route
	log    *slog.Logger
}

var _ awsproto.Handler = (*Handler)(nil)

// New returns the handler of Amplify Hosting on svc; log receives internal errors.
func New(svc *backend.Service, log *slog.Logger) *Handler {
	return &Handler{log: log, routes: []route{
		op("CreateApp", svc.CreateApp),
		op("GetApp", svc.GetApp),
		op("ListApps", svc.ListApps),
		op("DeleteApp", svc.DeleteApp),
		op("CreateBackendEnvironment", svc.CreateBackendEnvironment),
		op("GetBackendEnvironment", svc.GetBackendEnvironment),
		op("ListBackendEnvironments", svc.ListBackendEnvironments),
		op("DeleteBackendEnvironment", svc.DeleteBackendEnvironment),
	}}
}

// route is one row of the table: the operation, its path split into
// segments, and the call decoding the request for the domain.
type route struct {
	op   ah.Operation
	segs []string
	call func(ctx context.Context, p backend.Partition, params map[string]string, query url.Values, body []byte) (any, error)
}

func op[I, O any, PI interface {
	*I
	Validate() error
}](name string, fn func(context.Context, backend.Partition, PI) (*O, error)) route {
	info, ok := ah.OperationByName(name)
	if !ok {
		panic("hosting: unknown operation " + name)
	}
	t := reflect.TypeFor[I]()
	return route{op: info, segs: strings.Split(strings.Trim(info.Path, "/"), "/"),
		call: func(ctx context.Context, p backend.Partition, params map[string]string, query url.Values, body []byte) (any, error) {
			in := PI(new(I))
			if len(bytes.TrimSpace(body)) > 0 {
				if err := json.Unmarshal(body, in); err != nil {
					return nil, badRequest("The request body is not a valid JSON object of the operation's input: " + err.Error())
				}
			}
			rv := reflect.ValueOf(in).Elem()
			for i := range t.NumField() {
				f := t.Field(i)
				if name := f.Tag.Get("uri"); name != "" {
					v := params[name]
					if err := backend.CheckName(name, v); err != nil {
						return nil, err
					}
					rv.Field(i).Set(reflect.ValueOf(&v))
				} else if name := f.Tag.Get("query"); name != "" && query.Has(name) {
					if err := setQuery(rv.Field(i), name, query.Get(name)); err != nil {
						return nil, err
					}
				}
			}
			if err := in.Validate(); err != nil {
				return nil, err
			}
			return fn(ctx, p, in)
		}}
}

// setQuery sets a *string or *int32 member from a query parameter.
func setQuery(f reflect.Value, name, v string) error {
	switch f.Type() {
	case reflect.TypeFor[*string]():
		f.Set(reflect.ValueOf(&v))
	case reflect.TypeFor[*int32]():
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			return badRequest("The query parameter " + name + " must be an integer, not '" + v + "'")
		}
		i := int32(n)
		f.Set(reflect.ValueOf(&i))
	}
	return nil
}

func badRequest(msg string) *awsproto.Error {
	return &awsproto.Error{Code: "BadRequestException", Status: http.StatusBadRequest, Message: msg}
}

// Serve answers one Amplify Hosting request.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, req *awsproto.Request) string {
	rt, params, ok := h.match(r)
	if !ok {
		awsproto.WriteJSONError(w, &awsproto.Error{Code: "UnknownOperationException", Status: http.StatusNotFound,
			Message: "No Amplify operation matches " + r.Method + " " + r.URL.EscapedPath()})
		return "-"
	}
	out, err := rt.call(r.Context(), req.Partition, params, r.URL.Query(), req.Body)
	if err != nil {
		awsproto.WriteJSONError(w, h.toWire(err, req.RequestID))
		return rt.op.Name
	}
	awsproto.WriteJSON(w, http.StatusOK, out)
	return rt.op.Name
}

// match finds the route of the request's method and path.
func (h *Handler) match(r *http.Request) (route, map[string]string, bool) {
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	for _, rt := range h.routes {
		if rt.op.Method != r.Method || len(rt.segs) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, want := range rt.segs {
			got, err := url.PathUnescape(segs[i])
			switch {
			case err != nil:
				ok = false
			case strings.HasPrefix(want, "{"):
				params[strings.Trim(want, "{}")] = got
			case got != want:
				ok = false
			}
		}
		if ok {
			return rt, params, true
		}
	}
	return route{}, nil, false
}

// toWire maps a domain error to Amplify's exceptions.
func (h *Handler) toWire(err error, requestID string) *awsproto.Error {
	var pe *awsproto.Error
	var be *backend.Error
	var ve *ah.ValidationError
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.As(err, &ve):
		return badRequest(ve.Error())
	case errors.As(err, &be):
		switch be.Kind {
		case backend.BadRequest:
			return badRequest(be.Message)
		case backend.NotFound:
			return &awsproto.Error{Code: "NotFoundException", Status: http.StatusNotFound, Message: be.Message}
		case backend.TooManyRequests:
			return &awsproto.Error{Code: "LimitExceededException", Status: http.StatusTooManyRequests, Message: be.Message}
		}
	}
	e := awsproto.Internal(h.log, requestID, err)
	e.Code = "InternalFailureException"
	return e
}

// Fail answers a refused request in REST-JSON.
func (h *Handler) Fail(w http.ResponseWriter, _ *http.Request, _ *awsproto.Request, e *awsproto.Error) {
	awsproto.WriteJSONError(w, e)
}

// Operation names a request's operation: the one its method and path match.
func (h *Handler) Operation(r *http.Request, _ []byte) string {
	if rt, _, ok := h.match(r); ok {
		return rt.op.Name
	}
	return "-"
}
