// Package sigv4 verifies AWS Signature Version 4 on incoming requests: it
// recomputes the signature with the AWS SDK for Go's signer over exactly the
// headers the client signed, and compares.
package sigv4

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Credential is an access key the server accepts and the account it acts as.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	Account         string // 12 digits; empty = derived from the key id
}

// Error is an authentication failure, named as AWS names it.
type Error struct {
	Type    string // UnrecognizedClientException, InvalidSignatureException, MissingAuthenticationTokenException
	Message string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// Service is the signing name of AmplifyBackend requests; Verify insists on
// it. VerifyService checks a request of another service served on the same
// port (its signing name chose the handler).
const Service = "amplifybackend"

// S3 is the signing name of S3, whose requests are signed differently: the
// path exactly as sent (no collapsing of "//", no second escaping) and the
// payload hash the client declares in X-Amz-Content-Sha256.
const S3 = "s3"

// MaxSkew is how far a request's X-Amz-Date may be from the server's clock.
const MaxSkew = 15 * time.Minute

// Verifier checks signatures against a fixed set of credentials.
type Verifier struct {
	keys     map[string]Credential
	now      func() time.Time
	signer   *v4.Signer
	s3signer *v4.Signer
}

// NewVerifier returns a verifier accepting creds. now is the clock (nil: time.Now).
func NewVerifier(creds []Credential, now func() time.Time) *Verifier {
	if now == nil {
		now = time.Now
	}
	v := &Verifier{keys: make(map[string]Credential, len(creds)), now: now, signer: v4.NewSigner(),
		s3signer: v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })}
	for _, c := range creds {
		v.keys[c.AccessKeyID] = c
	}
	return v
}

// authorization is a parsed Authorization header.
type authorization struct {
	keyID, date, region, service string
	signedHeaders                []string
	signature                    string
}

func parseAuthorization(h string) (authorization, bool) {
	const algo = "AWS4-HMAC-SHA256 "
	var a authorization
	if !strings.HasPrefix(h, algo) {
		return a, false
	}
	for _, part := range strings.Split(h[len(algo):], ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, false
		}
		switch k {
		case "Credential":
			scope := strings.Split(val, "/")
			if len(scope) != 5 || scope[4] != "aws4_request" {
				return a, false
			}
			a.keyID, a.date, a.region, a.service = scope[0], scope[1], scope[2], scope[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(val, ";")
		case "Signature":
			a.signature = val
		}
	}
	return a, a.keyID != "" && len(a.signedHeaders) > 0 && a.signature != ""
}

// Verify checks r's signature for AmplifyBackend; body is the request body
// already read. It returns the credential that signed it.
func (v *Verifier) Verify(r *http.Request, body []byte) (Credential, error) {
	return v.VerifyService(r, body, Service)
}

// VerifyService checks r's signature for the service with the signing name
// service: the credential scope must name exactly that service, and the
// signature is recomputed for it over the body received.
func (v *Verifier) VerifyService(r *http.Request, body []byte, service string) (Credential, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return Credential{}, &Error{"MissingAuthenticationTokenException", "Missing Authentication Token"}
	}
	a, ok := parseAuthorization(h)
	if !ok {
		return Credential{}, &Error{"InvalidSignatureException", "Authorization header is not a valid AWS4-HMAC-SHA256 signature (need Credential, SignedHeaders and Signature)"}
	}
	cred, ok := v.keys[a.keyID]
	if !ok {
		return Credential{}, &Error{"UnrecognizedClientException", "The security token included in the request is invalid."}
	}
	t, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return Credential{}, &Error{"InvalidSignatureException", "Missing or malformed X-Amz-Date header"}
	}
	if d := v.now().Sub(t); d > MaxSkew || d < -MaxSkew {
		return Credential{}, &Error{"InvalidSignatureException", fmt.Sprintf("Signature expired: %s is not within %s of the server time %s",
			t.Format("20060102T150405Z"), MaxSkew, v.now().UTC().Format("20060102T150405Z"))}
	}
	if a.date != t.Format("20060102") {
		return Credential{}, &Error{"InvalidSignatureException", "Credential scope date " + a.date + " does not match X-Amz-Date"}
	}
	if a.service != service || service == "" {
		return Credential{}, &Error{"InvalidSignatureException", "Credential should be scoped to correct service: '" + service + "'. "}
	}
	if err := hasDotSegment(r.URL.EscapedPath()); err != nil {
		return Credential{}, err
	}
	// The payload hash is always the received body's: a client's
	// X-Amz-Content-Sha256 header may only repeat it.
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	switch claimed := r.Header.Get("X-Amz-Content-Sha256"); claimed {
	case "", hash:
	case "UNSIGNED-PAYLOAD":
		if service == S3 && len(body) == 0 {
			// S3 signs the declared hash; with nothing received, nothing
			// went unsigned.
			hash = claimed
			break
		}
		return Credential{}, &Error{"InvalidSignatureException", "UNSIGNED-PAYLOAD is not accepted: sign the request body"}
	default:
		return Credential{}, &Error{"InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed."}
	}
	want, err := v.sign(r, len(body), hash, a, cred, t)
	if err != nil {
		return Credential{}, err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(a.signature)) != 1 {
		return Credential{}, &Error{"InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."}
	}
	return cred, nil
}

// sign recomputes the signature over the headers the client signed, for a
// body of size n whose SHA-256 is hash.
func (v *Verifier) sign(r *http.Request, n int, hash string, a authorization, cred Credential, t time.Time) (string, error) {
	u := *r.URL
	// Services other than S3 sign the path with empty segments removed, as botocore and the SDK for
	// JavaScript v3 do: boto3 signs POST /backend//details as /backend/details. Dot segments were refused.
	// S3 signs the path as sent.
	signer := v.signer
	if a.service == S3 {
		signer = v.s3signer
		u.Opaque, u.RawPath = r.URL.EscapedPath(), ""
	} else {
		u.Opaque, u.RawPath = normalizePath(r.URL.EscapedPath()), ""
	}
	req := &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: http.Header{}}
	for _, name := range a.signedHeaders {
		switch name {
		case "host":
		case "content-length":
			req.ContentLength = int64(n)
		default:
			if vals := r.Header.Values(name); len(vals) > 0 {
				req.Header[http.CanonicalHeaderKey(name)] = vals
			}
		}
	}
	creds := aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey, SessionToken: r.Header.Get("X-Amz-Security-Token")}
	if err := signer.SignHTTP(context.Background(), creds, req, hash, a.service, a.region, t); err != nil {
		return "", fmt.Errorf("recompute signature: %w", err)
	}
	_, sig, _ := strings.Cut(req.Header.Get("Authorization"), "Signature=")
	return sig, nil
}

// hasDotSegment refuses a path with a "." or ".." segment. Clients sign such
// a path with the dots resolved (RFC 3986 remove_dot_segments) but send it
// unresolved, so the path signed and the path a server routes would differ:
// a signature for /backend/A/remove would then authorise
// /backend/A/api/../remove, which routes elsewhere.
func hasDotSegment(escaped string) error {
	for _, seg := range strings.Split(escaped, "/") {
		if seg == "." || seg == ".." {
			return &Error{"InvalidSignatureException", "The request path has a '" + seg + "' segment; send the path the request was signed for"}
		}
	}
	return nil
}

// normalizePath removes empty segments from an escaped path, keeping a
// trailing slash (AWS's collapsing of "//"). Dot segments are refused before.
func normalizePath(p string) string {
	var segs []string
	for _, seg := range strings.Split(p, "/") {
		if seg != "" {
			segs = append(segs, seg)
		}
	}
	out := "/" + strings.Join(segs, "/")
	if len(segs) > 0 && strings.HasSuffix(p, "/") {
		out += "/"
	}
	return out
}
