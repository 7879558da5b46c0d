package sigv4

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Tests written for mutants that survived `make mutate` (docs/MUTANTS.md).

// TestVerify_ClockSkewLimitIsInclusive: a request dated exactly MaxSkew away
// from the server's clock is accepted, a second more is refused.
func TestVerify_ClockSkewLimitIsInclusive(t *testing.T) {
	v := NewVerifier([]Credential{{AccessKeyID: "AKIDGOOD", SecretAccessKey: "s3cret"}}, func() time.Time { return now })
	const body = `{}`
	for _, tt := range []struct {
		at      time.Duration
		refused bool
	}{
		{-MaxSkew, false},
		{MaxSkew, false},
		{-MaxSkew - time.Second, true},
		{MaxSkew + time.Second, true},
	} {
		_, err := v.Verify(signed(t, "AKIDGOOD", "s3cret", "/backend/a/details", body, now.Add(tt.at)), []byte(body))
		var e *Error
		switch {
		case !tt.refused && err != nil:
			t.Errorf("signed %v from now: %v, want accepted", tt.at, err)
		case tt.refused && (!errors.As(err, &e) || !strings.HasPrefix(e.Message, "Signature expired")):
			t.Errorf("signed %v from now: %v, want Signature expired", tt.at, err)
		}
	}
}

// TestVerify_TrailingSlash: the path is signed with its trailing slash kept,
// and the root path stays "/".
func TestVerify_TrailingSlash(t *testing.T) {
	v := NewVerifier([]Credential{{AccessKeyID: "AKIDGOOD", SecretAccessKey: "s3cret"}}, func() time.Time { return now })
	const body = `{}`
	for _, path := range []string{"/", "/backend/a/", "/backend/a/details"} {
		if _, err := v.Verify(signed(t, "AKIDGOOD", "s3cret", path, body, now), []byte(body)); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
	for in, want := range map[string]string{"/": "/", "//": "/", "/a//b/": "/a/b/", "/a/b": "/a/b", "": "/"} {
		if got := normalizePath(in); got != want {
			t.Errorf("normalizePath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseAuthorization_NeedsEveryPart: a header without SignedHeaders,
// Credential or Signature is malformed, whatever else it holds.
func TestParseAuthorization_NeedsEveryPart(t *testing.T) {
	const (
		cred = "Credential=AKID/20261129/us-east-1/amplifybackend/aws4_request"
		sh   = "SignedHeaders=host;x-amz-date"
		sig  = "Signature=abc"
	)
	for _, h := range []string{
		"AWS4-HMAC-SHA256 " + cred + ", " + sig,
		"AWS4-HMAC-SHA256 " + sh + ", " + sig,
		"AWS4-HMAC-SHA256 " + cred + ", " + sh,
	} {
		if _, ok := parseAuthorization(h); ok {
			t.Errorf("parseAuthorization(%q) accepted", h)
		}
	}
	if a, ok := parseAuthorization("AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sig); !ok || len(a.signedHeaders) != 2 {
		t.Errorf("complete header: %+v, %v", a, ok)
	}
}
