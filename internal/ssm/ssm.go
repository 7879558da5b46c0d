// Package ssm serves the read side of AWS Systems Manager Parameter Store
// (signing name "ssm", JSON 1.1: POST / with X-Amz-Target) that the Amplify
// CLI uses on pull to restore an environment's parameters: GetParameters,
// on the parameters the domain derives from the environment's resources
// (backend.EnvParameters).
package ssm

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/amplifylite/amplifylite/internal/awsproto"
	"github.com/amplifylite/amplifylite/internal/backend"
)

// SigningName is Systems Manager's SigV4 service name.
const SigningName = "ssm"

// Handler serves Parameter Store.
type Handler struct{ awsproto.JSON11 }

var _ awsproto.Handler = (*Handler)(nil)

// New returns the handler on svc; log receives internal errors.
func New(svc *backend.Service, log *slog.Logger) *Handler {
	return &Handler{awsproto.JSON11{Prefix: "AmazonSSM.", Service: "Systems Manager", Svc: svc, Log: log}}
}

type getParametersInput struct {
	Names          []string
	WithDecryption *bool
}

type parameter struct {
	ARN              string
	DataType         string
	LastModifiedDate float64
	Name             string
	Type             string
	Value            string
	Version          int
}

type getParametersOutput struct {
	InvalidParameters []string
	Parameters        []parameter
}

// validate reports every constraint of GetParameters' input that in breaks,
// as SSM does.
func (in *getParametersInput) validate() *awsproto.Error {
	var errs []string
	switch {
	case in.Names == nil:
		errs = append(errs, "Value null at 'names' failed to satisfy constraint: Member must not be null")
	case len(in.Names) < 1 || len(in.Names) > 10:
		errs = append(errs, fmt.Sprintf("Value '[%s]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10, Member must have length greater than or equal to 1", strings.Join(in.Names, ", ")))
	}
	for _, n := range in.Names {
		if len(n) < 1 || len(n) > 2048 {
			errs = append(errs, fmt.Sprintf("Value '%s' at 'names' failed to satisfy constraint: Member must have length less than or equal to 2048, Member must have length greater than or equal to 1", n))
		}
	}
	return awsproto.Invalid("ValidationException", errs)
}

// Serve answers one JSON 1.1 request.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, req *awsproto.Request) string {
	op, e := h.Op(r)
	if e == nil && op != "GetParameters" {
		e = h.Unserved(op, "GetParameters")
	}
	var in getParametersInput
	if e == nil {
		e = h.Decode(req.Body, &in)
	}
	if e != nil {
		h.Fail(w, r, req, e)
		return op
	}
	if e := in.validate(); e != nil {
		h.Fail(w, r, req, e)
		return op
	}
	found, err := h.Svc.EnvParameters(r.Context(), req.Partition, in.Names)
	if err != nil {
		h.Fail(w, r, req, awsproto.Internal(h.Log, req.RequestID, err))
		return op
	}
	out := getParametersOutput{InvalidParameters: []string{}, Parameters: []parameter{}}
	seen := map[string]bool{}
	for _, name := range in.Names {
		if seen[name] {
			continue
		}
		seen[name] = true
		ep, ok := found[name]
		if !ok {
			out.InvalidParameters = append(out.InvalidParameters, name)
			continue
		}
		out.Parameters = append(out.Parameters, parameter{
			ARN:      "arn:aws:ssm:" + req.Partition.Region + ":" + req.Partition.Account + ":parameter" + name,
			DataType: "text", LastModifiedDate: float64(ep.Modified.UnixMilli()) / 1000,
			Name: name, Type: "String", Value: ep.Value, Version: 1,
		})
	}
	h.Write(w, out, nil)
	return op
}
