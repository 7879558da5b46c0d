package httpapi

import (
	"net/http"
	"strings"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/sigv4"
)

// defaultAccount is the account of every access key that is not itself a
// 12-digit account id (the convention LocalStack and moto users rely on).
const defaultAccount = "000000000000"

// partition authenticates an AmplifyBackend request when a verifier is
// configured and returns its partition; x gets the signature's verdict.
func (s *Server) partition(r *http.Request, body []byte, x *Exchange) (backend.Partition, error) {
	return s.authenticate(r, body, x, sigv4.Service)
}

// authenticate does what partition does for the service with the signing
// name service.
func (s *Server) authenticate(r *http.Request, body []byte, x *Exchange, service string) (backend.Partition, error) {
	p, err := partitionOf(r, s.opts.Region)
	if err != nil || s.opts.Verifier == nil {
		return p, err
	}
	cred, err := s.opts.Verifier.VerifyService(r, body, service)
	if err != nil {
		x.Signature = SignatureInvalid
		return p, err
	}
	x.Signature = SignatureValid
	if cred.Account != "" {
		p.Account = cred.Account
	}
	return p, nil
}

// partitionOf derives the (account, region) a request belongs to from its
// SigV4 credential scope: Authorization header or presigned X-Amz-Credential.
// Unsigned requests belong to the default account and region.
// A scope whose region is not a plausible region name is refused.
func partitionOf(r *http.Request, defaultRegion string) (backend.Partition, error) {
	p := backend.Partition{Account: defaultAccount, Region: defaultRegion}
	cred := ""
	if auth := authorization(r); strings.HasPrefix(auth, "AWS4-HMAC-SHA256") {
		if _, after, ok := strings.Cut(auth, "Credential="); ok {
			cred, _, _ = strings.Cut(after, ",")
		}
	} else if r.URL.RawQuery != "" {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	if cred == "" {
		return p, nil
	}
	// Credential = AKID/yyyymmdd/region/service/aws4_request
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) == 5 {
		if isAccountID(parts[0]) {
			p.Account = parts[0]
		}
		if !isRegion(parts[2]) {
			return p, badRequest("The credential scope's region '" + parts[2] + "' is not a valid region name")
		}
		p.Region = parts[2]
	}
	return p, nil
}

// authorization is r.Header.Get("Authorization") without canonicalizing
// the key: net/http has canonicalized the request's keys already.
func authorization(r *http.Request) string {
	if v := r.Header["Authorization"]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func isRegion(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
