// Package cognito serves the read side of Amazon Cognito User Pools
// (signing name "cognito-idp", JSON 1.1: POST / with X-Amz-Target) that the
// Amplify CLI uses on pull to restore an auth resource's social providers:
// ListUserPools, DescribeUserPool, ListIdentityProviders and
// DescribeIdentityProvider, on the user pools the domain derives from the
// auth resources.
package cognito

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/amplifylite/amplifylite/internal/awsproto"
	"github.com/amplifylite/amplifylite/internal/backend"
)

// SigningName is Cognito User Pools' SigV4 service name.
const SigningName = "cognito-idp"

const targetPrefix = "AWSCognitoIdentityProviderService."

// Handler serves Cognito User Pools.
type Handler struct {
	svc *backend.Service
	log *slog.Logger
}

var _ awsproto.Handler = (*Handler)(nil)

// New returns the handler on svc; log receives internal errors.
func New(svc *backend.Service, log *slog.Logger) *Handler { return &Handler{svc: svc, log: log} }

type request struct {
	MaxResults   *int
	NextToken    string
	UserPoolId   string
	ProviderName string
}

func errorOf(code, msg string) *awsproto.Error {
	return &awsproto.Error{Code: code, Status: http.StatusBadRequest, Message: msg}
}

// Serve answers one JSON 1.1 request.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, req *awsproto.Request) string {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, targetPrefix)
	if r.Method != http.MethodPost || !ok {
		h.write(w, nil, errorOf("UnknownOperationException", "No Cognito User Pools operation matches "+r.Method+" "+target))
		return "-"
	}
	var in request
	if len(bytes.TrimSpace(req.Body)) > 0 {
		if err := json.Unmarshal(req.Body, &in); err != nil {
			h.write(w, nil, errorOf("SerializationException", "The request body is not a valid JSON object: "+err.Error()))
			return op
		}
	}
	pools, err := h.svc.UserPools(r.Context(), req.Partition)
	if err != nil {
		h.write(w, nil, awsproto.Internal(h.log, req.RequestID, err))
		return op
	}
	out, e := answer(op, &in, pools)
	h.write(w, out, e)
	return op
}

func answer(op string, in *request, pools []backend.UserPool) (any, *awsproto.Error) {
	find := func() (*backend.UserPool, *awsproto.Error) {
		if in.UserPoolId == "" {
			return nil, errorOf("InvalidParameterException", "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null")
		}
		for i := range pools {
			if pools[i].ID == in.UserPoolId {
				return &pools[i], nil
			}
		}
		return nil, errorOf("ResourceNotFoundException", "User pool "+in.UserPoolId+" does not exist.")
	}
	switch op {
	case "ListUserPools":
		if in.MaxResults == nil || *in.MaxResults < 1 || *in.MaxResults > 60 {
			return nil, errorOf("InvalidParameterException", "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60")
		}
		after := ""
		if in.NextToken != "" {
			raw, err := base64.RawURLEncoding.DecodeString(in.NextToken)
			if err != nil {
				return nil, errorOf("InvalidParameterException", "The nextToken is invalid")
			}
			after = string(raw)
		}
		out := struct {
			UserPools []map[string]any
			NextToken string `json:",omitempty"`
		}{UserPools: []map[string]any{}}
		for _, p := range pools {
			if p.ID <= after {
				continue
			}
			if len(out.UserPools) == *in.MaxResults {
				out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(out.UserPools[len(out.UserPools)-1]["Id"].(string)))
				break
			}
			out.UserPools = append(out.UserPools, map[string]any{"Id": p.ID, "Name": p.Name, "LambdaConfig": map[string]any{},
				"CreationDate": epoch(p.Created), "LastModifiedDate": epoch(p.Modified)})
		}
		return out, nil
	case "DescribeUserPool":
		p, e := find()
		if e != nil {
			return nil, e
		}
		return map[string]any{"UserPool": map[string]any{"Id": p.ID, "Name": p.Name, "LambdaConfig": map[string]any{},
			"CreationDate": epoch(p.Created), "LastModifiedDate": epoch(p.Modified)}}, nil
	case "ListIdentityProviders":
		p, e := find()
		if e != nil {
			return nil, e
		}
		list := []map[string]any{}
		for _, ip := range p.Providers {
			list = append(list, map[string]any{"ProviderName": ip.Name, "ProviderType": ip.Name,
				"CreationDate": epoch(p.Created), "LastModifiedDate": epoch(p.Modified)})
		}
		return map[string]any{"Providers": list}, nil
	case "DescribeIdentityProvider":
		p, e := find()
		if e != nil {
			return nil, e
		}
		for _, ip := range p.Providers {
			if ip.Name == in.ProviderName {
				return map[string]any{"IdentityProvider": map[string]any{"UserPoolId": p.ID, "ProviderName": ip.Name,
					"ProviderType": ip.Name, "ProviderDetails": ip.Details, "AttributeMapping": ip.AttributeMapping,
					"IdpIdentifiers": []string{}, "CreationDate": epoch(p.Created), "LastModifiedDate": epoch(p.Modified)}}, nil
			}
		}
		return nil, errorOf("ResourceNotFoundException", "Identity provider "+in.ProviderName+" does not exist.")
	}
	return nil, errorOf("UnknownOperationException", "amplifylite serves only ListUserPools, DescribeUserPool, ListIdentityProviders and DescribeIdentityProvider of Cognito User Pools, not "+op)
}

// write answers out, or e, in JSON 1.1.
func (h *Handler) write(w http.ResponseWriter, out any, e *awsproto.Error) {
	if e != nil {
		h.Fail(w, nil, nil, e)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	awsproto.WriteJSON(w, http.StatusOK, out)
}

// Fail answers a refused request in JSON 1.1.
func (h *Handler) Fail(w http.ResponseWriter, _ *http.Request, _ *awsproto.Request, e *awsproto.Error) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	awsproto.WriteJSONError(w, e)
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// Operation names a request's operation: its X-Amz-Target's.
func (h *Handler) Operation(r *http.Request, _ []byte) string {
	if op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix); ok {
		return op
	}
	return "-"
}
