// Package cognito serves the read side of Amazon Cognito User Pools
// (signing name "cognito-idp", JSON 1.1: POST / with X-Amz-Target) that the
// Amplify CLI uses on pull: ListUserPools, DescribeUserPool,
// ListIdentityProviders and DescribeIdentityProvider to restore an auth
// resource's social providers, and ListUserPoolClients,
// DescribeUserPoolClient and GetUserPoolMfaConfig to re-validate an
// imported pool, on the user pools the domain derives from the auth
// resources (backend.UserPools).
package cognito

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/amplifylite/amplifylite/internal/awsproto"
	"github.com/amplifylite/amplifylite/internal/backend"
)

// SigningName is Cognito User Pools' SigV4 service name.
const SigningName = "cognito-idp"

// Handler serves Cognito User Pools.
type Handler struct{ awsproto.JSON11 }

var _ awsproto.Handler = (*Handler)(nil)

// New returns the handler on svc; log receives internal errors.
func New(svc *backend.Service, log *slog.Logger) *Handler {
	return &Handler{awsproto.JSON11{Prefix: "AWSCognitoIdentityProviderService.", Service: "Cognito User Pools", Svc: svc, Log: log}}
}

var served = []string{"ListUserPools", "DescribeUserPool", "ListIdentityProviders", "DescribeIdentityProvider",
	"ListUserPoolClients", "DescribeUserPoolClient", "GetUserPoolMfaConfig"}

type request struct {
	MaxResults   *int
	NextToken    string
	UserPoolId   string
	ProviderName string
	ClientId     string
}

func errorOf(code, msg string) *awsproto.Error {
	return &awsproto.Error{Code: code, Status: http.StatusBadRequest, Message: msg}
}

// Serve answers one JSON 1.1 request.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, req *awsproto.Request) string {
	op, e := h.Op(r)
	if e != nil {
		h.Write(w, nil, e)
		return op
	}
	var in request
	if e := h.Decode(req.Body, &in); e != nil {
		h.Write(w, nil, e)
		return op
	}
	pools, err := h.Svc.UserPools(r.Context(), req.Partition)
	if err != nil {
		h.Write(w, nil, awsproto.Internal(h.Log, req.RequestID, err))
		return op
	}
	out, e := h.answer(op, &in, pools, req.Partition)
	h.Write(w, out, e)
	return op
}

// page is the part of a list after the NextToken's key, at most max long,
// and the token of the rest; key names an item.
func page[T any](items []T, key func(T) string, token string, max *int) ([]T, string, *awsproto.Error) {
	if max == nil || *max < 1 || *max > 60 {
		return nil, "", errorOf("InvalidParameterException", "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60")
	}
	out, next, ok := awsproto.Page(items, key, token, *max)
	if !ok {
		return nil, "", errorOf("InvalidParameterException", "The nextToken is invalid")
	}
	return out, next, nil
}

func (h *Handler) answer(op string, in *request, pools []backend.UserPool, p backend.Partition) (any, *awsproto.Error) {
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
	if op == "ListUserPools" {
		list, next, e := page(pools, func(p backend.UserPool) string { return p.ID }, in.NextToken, in.MaxResults)
		if e != nil {
			return nil, e
		}
		out := struct {
			UserPools []map[string]any
			NextToken string `json:",omitempty"`
		}{UserPools: []map[string]any{}, NextToken: next}
		for _, p := range list {
			out.UserPools = append(out.UserPools, map[string]any{"Id": p.ID, "Name": p.Name, "LambdaConfig": map[string]any{},
				"CreationDate": epoch(p.Created), "LastModifiedDate": epoch(p.Modified)})
		}
		return out, nil
	}
	known := false
	for _, s := range served {
		known = known || s == op
	}
	if !known {
		return nil, h.Unserved(op, served...)
	}
	pool, e := find()
	if e != nil {
		return nil, e
	}
	switch op {
	case "DescribeUserPool":
		return map[string]any{"UserPool": describe(pool, p)}, nil
	case "GetUserPoolMfaConfig":
		out := map[string]any{"MfaConfiguration": pool.Settings.MFA}
		for _, t := range pool.Settings.MFATypes {
			switch t {
			case "SMS":
				out["SmsMfaConfiguration"] = map[string]any{"SmsConfiguration": map[string]any{
					"SnsCallerArn": "arn:aws:iam::" + p.Account + ":role/sns" + pool.ID, "ExternalId": pool.ID}}
			case "TOTP":
				out["SoftwareTokenMfaConfiguration"] = map[string]any{"Enabled": true}
			}
		}
		return out, nil
	case "ListUserPoolClients":
		list, next, e := page(pool.Clients, func(c backend.PoolClient) string { return c.ID }, in.NextToken, in.MaxResults)
		if e != nil {
			return nil, e
		}
		out := struct {
			UserPoolClients []map[string]any
			NextToken       string `json:",omitempty"`
		}{UserPoolClients: []map[string]any{}, NextToken: next}
		for _, c := range list {
			out.UserPoolClients = append(out.UserPoolClients, map[string]any{"ClientId": c.ID, "ClientName": c.Name, "UserPoolId": pool.ID})
		}
		return out, nil
	case "DescribeUserPoolClient":
		if in.ClientId == "" {
			return nil, errorOf("InvalidParameterException", "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null")
		}
		for _, c := range pool.Clients {
			if c.ID == in.ClientId {
				return map[string]any{"UserPoolClient": map[string]any{"UserPoolId": pool.ID, "ClientId": c.ID, "ClientName": c.Name,
					"CreationDate": epoch(pool.Created), "LastModifiedDate": epoch(pool.Modified),
					"RefreshTokenValidity": 30, "TokenValidityUnits": map[string]string{"RefreshToken": "days"},
					"ExplicitAuthFlows":               []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"},
					"SupportedIdentityProviders":      []string{"COGNITO"},
					"AllowedOAuthFlowsUserPoolClient": false, "EnableTokenRevocation": true,
					"PreventUserExistenceErrors": "ENABLED", "AuthSessionValidity": 3}}, nil
			}
		}
		return nil, errorOf("ResourceNotFoundException", "User pool client "+in.ClientId+" does not exist.")
	case "ListIdentityProviders":
		list := []map[string]any{}
		for _, ip := range pool.Providers {
			list = append(list, map[string]any{"ProviderName": ip.Name, "ProviderType": ip.Name,
				"CreationDate": epoch(pool.Created), "LastModifiedDate": epoch(pool.Modified)})
		}
		return map[string]any{"Providers": list}, nil
	default: // DescribeIdentityProvider
		for _, ip := range pool.Providers {
			if ip.Name == in.ProviderName {
				return map[string]any{"IdentityProvider": map[string]any{"UserPoolId": pool.ID, "ProviderName": ip.Name,
					"ProviderType": ip.Name, "ProviderDetails": ip.Details, "AttributeMapping": ip.AttributeMapping,
					"IdpIdentifiers": []string{}, "CreationDate": epoch(pool.Created), "LastModifiedDate": epoch(pool.Modified)}}, nil
			}
		}
		return nil, errorOf("ResourceNotFoundException", "Identity provider "+in.ProviderName+" does not exist.")
	}
}

// standardAttributes are a user pool's standard attributes, in Cognito's order.
var standardAttributes = []string{"sub", "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
	"profile", "picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale",
	"phone_number", "phone_number_verified", "address", "updated_at"}

// describe is DescribeUserPool's UserPool.
func describe(pool *backend.UserPool, p backend.Partition) map[string]any {
	s := pool.Settings
	required := map[string]bool{"sub": true}
	for _, a := range s.Required {
		required[a] = true
	}
	schema := []map[string]any{}
	for _, a := range standardAttributes {
		t := "String"
		switch a {
		case "email_verified", "phone_number_verified":
			t = "Boolean"
		case "updated_at":
			t = "Number"
		}
		schema = append(schema, map[string]any{"Name": a, "AttributeDataType": t, "DeveloperOnlyAttribute": false,
			"Mutable": a != "sub", "Required": required[a]})
	}
	out := map[string]any{"Id": pool.ID, "Name": pool.Name, "Arn": "arn:aws:cognito-idp:" + p.Region + ":" + p.Account + ":userpool/" + pool.ID,
		"LambdaConfig": map[string]any{}, "CreationDate": epoch(pool.Created), "LastModifiedDate": epoch(pool.Modified),
		"Policies": map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": s.MinLength,
			"RequireUppercase": s.Uppercase, "RequireLowercase": s.Lowercase, "RequireNumbers": s.Numbers, "RequireSymbols": s.Symbols,
			"TemporaryPasswordValidityDays": 7}},
		"SchemaAttributes": schema, "AutoVerifiedAttributes": nonNil(s.AutoVerified), "MfaConfiguration": s.MFA,
		"EstimatedNumberOfUsers": 0, "DeletionProtection": "INACTIVE",
		"AdminCreateUserConfig": map[string]any{"AllowAdminCreateUserOnly": false}}
	if len(s.UsernameAttributes) > 0 {
		out["UsernameAttributes"] = s.UsernameAttributes
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }
