package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var now = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// signed builds a request signed as an SDK would sign it.
func signed(t *testing.T, key, secret, path, body string, at time.Time) *http.Request {
	t.Helper()
	r := httptest.NewRequest("POST", "http://127.0.0.1:4750"+path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "Boto3/1.0")
	sum := sha256.Sum256([]byte(body))
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		r, hex.EncodeToString(sum[:]), "amplifybackend", "eu-west-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// signedWith signs as signed does, with the given service and payload hash
// sent in X-Amz-Content-Sha256 (hash "" = the body's, no header).
func signedWith(t *testing.T, service, path, body, hash string) *http.Request {
	t.Helper()
	r := httptest.NewRequest("POST", "http://127.0.0.1:4750"+path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if hash == "" {
		sum := sha256.Sum256([]byte(body))
		hash = hex.EncodeToString(sum[:])
	} else {
		r.Header.Set("X-Amz-Content-Sha256", hash)
	}
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDGOOD", SecretAccessKey: "s3cret"},
		r, hash, service, "eu-west-1", now)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestVerify(t *testing.T) {
	v := NewVerifier([]Credential{{AccessKeyID: "AKIDGOOD", SecretAccessKey: "s3cret", Account: "123456789012"}}, func() time.Time { return now })
	body := `{"backendEnvironmentName":"dev"}`
	tests := []struct {
		name    string
		req     func() *http.Request
		body    string
		wantErr string
	}{
		{"valid", func() *http.Request { return signed(t, "AKIDGOOD", "s3cret", "/backend/a%2Fb/details", body, now) }, body, ""},
		{"unsigned", func() *http.Request { return httptest.NewRequest("POST", "/backend/a/details", nil) }, "", "MissingAuthenticationTokenException"},
		{"unknown key", func() *http.Request { return signed(t, "AKIDBAD", "s3cret", "/backend/a/details", body, now) }, body, "UnrecognizedClientException"},
		{"wrong secret", func() *http.Request { return signed(t, "AKIDGOOD", "other", "/backend/a/details", body, now) }, body, "InvalidSignatureException"},
		{"body changed", func() *http.Request { return signed(t, "AKIDGOOD", "s3cret", "/backend/a/details", body, now) }, `{"backendEnvironmentName":"prod"}`, "InvalidSignatureException"},
		{"path changed", func() *http.Request {
			r := signed(t, "AKIDGOOD", "s3cret", "/backend/a/details", body, now)
			r.URL.Path, r.URL.RawPath = "/backend/b/details", ""
			return r
		}, body, "InvalidSignatureException"},
		{"empty path segment signed as botocore does", func() *http.Request {
			r := signed(t, "AKIDGOOD", "s3cret", "/backend/details", body, now)
			r.URL.Path, r.URL.RawPath = "/backend//details", ""
			return r
		}, body, ""},
		{"signed header changed", func() *http.Request {
			r := signed(t, "AKIDGOOD", "s3cret", "/backend/a/details", body, now)
			r.Header.Set("Content-Type", "text/plain")
			return r
		}, body, "InvalidSignatureException"},
		{"unsigned header changed", func() *http.Request {
			r := signed(t, "AKIDGOOD", "s3cret", "/backend/a/details", body, now)
			r.Header.Set("User-Agent", "other")
			return r
		}, body, ""},
		{"expired", func() *http.Request {
			return signed(t, "AKIDGOOD", "s3cret", "/backend/a/details", body, now.Add(-16*time.Minute))
		}, body, "InvalidSignatureException"},
		{"from the future", func() *http.Request {
			return signed(t, "AKIDGOOD", "s3cret", "/backend/a/details", body, now.Add(16*time.Minute))
		}, body, "InvalidSignatureException"},
		{"signature truncated", func() *http.Request {
			r := signed(t, "AKIDGOOD", "s3cret", "/backend/a/details", body, now)
			r.Header.Set("Authorization", r.Header.Get("Authorization")[:len(r.Header.Get("Authorization"))-1])
			return r
		}, body, "InvalidSignatureException"},
		{"content hash header of the body sent", func() *http.Request {
			return signedWith(t, "amplifybackend", "/backend/a/details", body, sha(body))
		}, body, ""},
		{"content hash header of another body", func() *http.Request {
			return signedWith(t, "amplifybackend", "/backend/a/details", body, sha(body))
		}, `{"backendEnvironmentName":"ops"}`, "InvalidSignatureException"}, // same length: content-length is signed
		{"unsigned payload", func() *http.Request {
			return signedWith(t, "amplifybackend", "/backend/a/details", body, "UNSIGNED-PAYLOAD")
		}, `{"backendEnvironmentName":"ops"}`, "InvalidSignatureException"},
		{"unsigned payload of the body sent", func() *http.Request {
			return signedWith(t, "amplifybackend", "/backend/a/details", body, "UNSIGNED-PAYLOAD")
		}, body, "InvalidSignatureException"},
		{"scoped to s3", func() *http.Request { return signedWith(t, "s3", "/backend/a/details", body, "") }, body, "InvalidSignatureException"},
		{"scoped to execute-api", func() *http.Request {
			return signedWith(t, "execute-api", "/backend/a/details", body, "")
		}, body, "InvalidSignatureException"},
		{"dot segments sent, resolved path signed", func() *http.Request {
			r := signed(t, "AKIDGOOD", "s3cret", "/backend/a/remove", body, now)
			r.URL.Path, r.URL.RawPath = "/backend/a/api/../remove", ""
			return r
		}, body, "InvalidSignatureException"},
		{"dot segments signed as sent", func() *http.Request {
			r := signed(t, "AKIDGOOD", "s3cret", "/backend/a/./details", body, now)
			r.URL.Path, r.URL.RawPath = "/backend/a/./details", ""
			return r
		}, body, "InvalidSignatureException"},
		{"malformed", func() *http.Request {
			r := httptest.NewRequest("POST", "/backend/a/details", nil)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
			return r
		}, "", "InvalidSignatureException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred, err := v.Verify(tt.req(), []byte(tt.body))
			var e *Error
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got %v", err)
			case tt.wantErr == "" && cred.Account != "123456789012":
				t.Errorf("account = %q", cred.Account)
			case tt.wantErr != "" && (!errors.As(err, &e) || e.Type != tt.wantErr):
				t.Errorf("got %v, want %s", err, tt.wantErr)
			}
		})
	}
}

// FuzzParseAuthorization: no Authorization header value may panic the parser.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/amplifybackend/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc")
	f.Add("AWS4-HMAC-SHA256 ,,,=")
	f.Fuzz(func(t *testing.T, h string) { parseAuthorization(h) })
}

// FuzzVerify_ForgeriesAreRefused: a request signed by the SDK's signer and
// then changed by the fuzzer (path, body, a header, the Authorization header,
// the content hash header) is accepted only when nothing the signature covers
// changed, and never panics the verifier.
func FuzzVerify_ForgeriesAreRefused(f *testing.F) {
	f.Add("/backend/a/details", `{"x":1}`, "", "", "", "")
	f.Add("/backend/a/api/../remove", `{}`, "", "", "", "")
	f.Add("", `{"x":2}`, "", "", "", "UNSIGNED-PAYLOAD")
	f.Add("", "", "Content-Type", "text/plain", "", "")
	f.Add("", "", "", "", "AWS4-HMAC-SHA256 Credential=AKIDGOOD/20261129/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=00", "")
	v := NewVerifier([]Credential{{AccessKeyID: "AKIDGOOD", SecretAccessKey: "s3cret"}}, func() time.Time { return now })
	const path, body = "/backend/app/details", `{"backendEnvironmentName":"dev"}`
	f.Fuzz(func(t *testing.T, newPath, newBody, header, value, auth, hash string) {
		r := signed(t, "AKIDGOOD", "s3cret", path, body, now)
		sent := body
		changed := false
		if newPath != "" && newPath != path {
			u, err := url.Parse("http://127.0.0.1:4750" + newPath)
			if err != nil || u.EscapedPath() == path || u.Path == "" {
				return
			}
			r.URL.Path, r.URL.RawPath = u.Path, u.RawPath
			changed = true
		}
		if newBody != "" && newBody != body {
			sent, changed = newBody, true
		}
		if h := http.CanonicalHeaderKey(header); header != "" && h != "User-Agent" && value != r.Header.Get(h) {
			if !isToken(header) || strings.ContainsAny(value, "\r\n\x00") {
				return
			}
			r.Header.Set(h, value)
			switch h {
			case "Content-Type", "X-Amz-Date", "Authorization", "X-Amz-Security-Token":
				changed = true
			case "X-Amz-Content-Sha256":
				sum := sha256.Sum256([]byte(sent))
				changed = changed || value != "" && value != hex.EncodeToString(sum[:])
			}
		}
		if auth != "" {
			r.Header.Set("Authorization", auth)
			changed = true
		}
		if hash != "" {
			r.Header.Set("X-Amz-Content-Sha256", hash)
			sum := sha256.Sum256([]byte(sent))
			changed = changed || hash != hex.EncodeToString(sum[:])
		}
		_, err := v.Verify(r, []byte(sent))
		if changed && err == nil {
			t.Fatalf("forgery accepted: path %q body %q header %q=%q auth %q hash %q", r.URL.EscapedPath(), sent, header, value, auth, hash)
		}
		if !changed && err != nil {
			t.Fatalf("the signed request was refused: %v", err)
		}
	})
}

// isToken reports whether s is an HTTP token (a valid header name).
func isToken(s string) bool {
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return s != ""
}

// TestVerifyService_S3 checks S3's way of signing: the path as sent (an
// escaped '#', a doubled slash), the declared payload hash, and
// UNSIGNED-PAYLOAD only when no body came.
func TestVerifyService_S3(t *testing.T) {
	v := NewVerifier([]Credential{{AccessKeyID: "AKIDGOOD", SecretAccessKey: "s3cret"}}, func() time.Time { return now })
	s3signed := func(method, path, body, hash string) *http.Request {
		r := httptest.NewRequest(method, "http://127.0.0.1:4750"+path, strings.NewReader(body))
		r.Header.Set("X-Amz-Content-Sha256", hash)
		err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).SignHTTP(context.Background(),
			aws.Credentials{AccessKeyID: "AKIDGOOD", SecretAccessKey: "s3cret"}, r, hash, "s3", "eu-west-1", now)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, c := range []struct {
		name, method, path, body, hash string
		ok                             bool
	}{
		{"escaped hash sign", "GET", "/bucket/%23current-cloud-backend.zip", "", sha(""), true},
		{"doubled slash kept", "GET", "/bucket//key", "", sha(""), true},
		{"unsigned payload, no body", "GET", "/bucket/amplify-meta.json", "", "UNSIGNED-PAYLOAD", true},
		{"unsigned payload with a body", "PUT", "/bucket/key", "data", "UNSIGNED-PAYLOAD", false},
		{"declared hash of another body", "PUT", "/bucket/key", "data", sha("other"), false},
	} {
		r := s3signed(c.method, c.path, c.body, c.hash)
		_, err := v.VerifyService(r, []byte(c.body), S3)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// A signature for s3 is not one for amplifybackend, nor the reverse.
	r := s3signed("GET", "/bucket/key", "", sha(""))
	if _, err := v.VerifyService(r, nil, Service); err == nil {
		t.Error("an s3 scope verified as amplifybackend")
	}
	if _, err := v.VerifyService(signedWith(t, "amplifybackend", "/backend", "{}", ""), []byte("{}"), S3); err == nil {
		t.Error("an amplifybackend scope verified as s3")
	}
	if _, err := v.VerifyService(signedWith(t, "", "/backend", "{}", ""), []byte("{}"), ""); err == nil {
		t.Error("an empty service verified")
	}
}
