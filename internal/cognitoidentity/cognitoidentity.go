// Package cognitoidentity serves the read side of Amazon Cognito Identity
// (signing name "cognito-identity", JSON 1.1: POST / with X-Amz-Target) that
// the Amplify CLI uses on pull to re-validate an imported identity pool:
// ListIdentityPools, DescribeIdentityPool and GetIdentityPoolRoles, on the
// identity pools the domain derives from the auth resources
// (backend.IdentityPools).
package cognitoidentity

import (
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sync"

	"github.com/amplifylite/amplifylite/internal/awsproto"
	"github.com/amplifylite/amplifylite/internal/backend"
)

// SigningName is Cognito Identity's SigV4 service name.
const SigningName = "cognito-identity"

// Handler serves Cognito Identity.
type Handler struct{ awsproto.JSON11 }

var _ awsproto.Handler = (*Handler)(nil)

// New returns the handler on svc; log receives internal errors.
func New(svc *backend.Service, log *slog.Logger) *Handler {
	return &Handler{awsproto.JSON11{Prefix: "AWSCognitoIdentityService.", Service: "Cognito Identity", Svc: svc, Log: log}}
}

var served = []string{"ListIdentityPools", "DescribeIdentityPool", "GetIdentityPoolRoles"}

type request struct {
	MaxResults     *int
	NextToken      *string
	IdentityPoolId *string
}

// idPattern is the model's IdentityPoolId pattern, compiled on first use
// (not at every process start).
var idPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w-]+:[0-9a-f-]+$`) })

func invalid(msg string) *awsproto.Error {
	return &awsproto.Error{Code: "InvalidParameterException", Status: http.StatusBadRequest, Message: msg}
}

// validate reports the constraints of op's input that in breaks.
func (in *request) validate(op string) *awsproto.Error {
	var errs []string
	if op == "ListIdentityPools" {
		switch {
		case in.MaxResults == nil:
			errs = append(errs, "Value null at 'maxResults' failed to satisfy constraint: Member must not be null")
		case *in.MaxResults < 1 || *in.MaxResults > 60:
			errs = append(errs, fmt.Sprintf("Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60, Member must have value greater than or equal to 1", *in.MaxResults))
		}
		if in.NextToken != nil && (len(*in.NextToken) < 1 || len(*in.NextToken) > 65535) {
			errs = append(errs, "Value at 'nextToken' failed to satisfy constraint: Member must have length between 1 and 65535")
		}
	} else {
		switch id := in.IdentityPoolId; {
		case id == nil:
			errs = append(errs, "Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null")
		case len(*id) < 1 || len(*id) > 55 || !idPattern().MatchString(*id):
			errs = append(errs, fmt.Sprintf("Value '%s' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+, Member must have length less than or equal to 55", *id))
		}
	}
	return awsproto.Invalid("InvalidParameterException", errs)
}

// Serve answers one JSON 1.1 request.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, req *awsproto.Request) string {
	op, e := h.Op(r)
	if e == nil {
		e = h.Unserved(op, served...)
		for _, s := range served {
			if s == op {
				e = nil
			}
		}
	}
	var in request
	if e == nil {
		e = h.Decode(req.Body, &in)
	}
	if e == nil {
		e = in.validate(op)
	}
	if e != nil {
		h.Write(w, nil, e)
		return op
	}
	pools, err := h.Svc.IdentityPools(r.Context(), req.Partition)
	if err != nil {
		h.Write(w, nil, awsproto.Internal(h.Log, req.RequestID, err))
		return op
	}
	out, e := answer(op, &in, pools, req.Partition)
	h.Write(w, out, e)
	return op
}

func answer(op string, in *request, pools []backend.IdentityPool, p backend.Partition) (any, *awsproto.Error) {
	if op == "ListIdentityPools" {
		token := ""
		if in.NextToken != nil {
			token = *in.NextToken
		}
		list, next, ok := awsproto.Page(pools, func(ip backend.IdentityPool) string { return ip.ID }, token, *in.MaxResults)
		if !ok {
			return nil, invalid("The nextToken is invalid")
		}
		out := struct {
			IdentityPools []map[string]string
			NextToken     string `json:",omitempty"`
		}{IdentityPools: []map[string]string{}, NextToken: next}
		for _, ip := range list {
			out.IdentityPools = append(out.IdentityPools, map[string]string{"IdentityPoolId": ip.ID, "IdentityPoolName": ip.Name})
		}
		return out, nil
	}
	var pool *backend.IdentityPool
	for i := range pools {
		if pools[i].ID == *in.IdentityPoolId {
			pool = &pools[i]
		}
	}
	if pool == nil {
		return nil, &awsproto.Error{Code: "ResourceNotFoundException", Status: http.StatusBadRequest,
			Message: "IdentityPool '" + *in.IdentityPoolId + "' not found."}
	}
	if op == "GetIdentityPoolRoles" {
		return map[string]any{"IdentityPoolId": pool.ID,
			"Roles": map[string]string{"authenticated": pool.AuthRole, "unauthenticated": pool.UnauthRole}}, nil
	}
	providers := []map[string]any{}
	for _, c := range pool.ClientIDs {
		providers = append(providers, map[string]any{"ProviderName": "cognito-idp." + p.Region + ".amazonaws.com/" + pool.UserPoolID,
			"ClientId": c, "ServerSideTokenCheck": false})
	}
	return map[string]any{"IdentityPoolId": pool.ID, "IdentityPoolName": pool.Name,
		"AllowUnauthenticatedIdentities": pool.AllowUnauthed, "AllowClassicFlow": false,
		"CognitoIdentityProviders": providers, "IdentityPoolTags": map[string]string{}}, nil
}
