// Package sts serves the part of AWS STS (query protocol, signing name
// "sts") that tools ask before anything else: GetCallerIdentity, answered
// with the account the request's credential belongs to.
package sts

import (
	"encoding/xml"
	"net/http"

	"github.com/amplifylite/amplifylite/internal/awsproto"
)

// SigningName is STS's SigV4 service name.
const SigningName = "sts"

const xmlns = "https://sts.amazonaws.com/doc/2011-06-15/"

// Handler serves STS.
type Handler struct{}

var _ awsproto.Handler = Handler{}

// Serve answers a query-protocol request: the Action in the form body (or
// the query string, as GET requests send it).
func (Handler) Serve(w http.ResponseWriter, r *http.Request, req *awsproto.Request) string {
	form, err := awsproto.QueryForm(r, req.Body)
	if err != nil {
		awsproto.WriteQueryError(w, req.RequestID, err)
		return "-"
	}
	switch action := form.Get("Action"); action {
	case "GetCallerIdentity":
		account := req.Partition.Account
		awsproto.QueryResponse(w, xmlns, action, req.RequestID, struct {
			XMLName xml.Name `xml:"GetCallerIdentityResult"`
			Arn     string
			UserId  string
			Account string
		}{Arn: "arn:aws:iam::" + account + ":root", UserId: account, Account: account})
		return action
	case "":
		awsproto.WriteQueryError(w, req.RequestID, &awsproto.Error{Code: "MissingAction", Status: http.StatusBadRequest, Message: "Missing Action"})
		return "-"
	default:
		awsproto.WriteQueryError(w, req.RequestID, &awsproto.Error{Code: "InvalidAction", Status: http.StatusBadRequest,
			Message: "Could not find operation " + action + " for version " + form.Get("Version")})
		return "-"
	}
}

// Fail answers a refused request in the query protocol.
func (Handler) Fail(w http.ResponseWriter, _ *http.Request, req *awsproto.Request, e *awsproto.Error) {
	awsproto.WriteQueryError(w, req.RequestID, e)
}

// Operation names a request's operation: its Action.
func (Handler) Operation(r *http.Request, body []byte) string { return awsproto.QueryAction(r, body) }
