package httpapi

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/sigv4"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Tests written for mutants that survived `make mutate` (docs/MUTANTS.md).

// TestCheckText_Edges: where checkText's scan starts and ends, and the exact
// bounds of the surrogate ranges.
func TestCheckText_Edges(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       string // "" = accepted (the decoder judges the rest)
	}{
		{"invalid UTF-8 at offset 0", "\xff{}", "invalid UTF-8 at offset 0"},
		{"invalid UTF-8 later", `{"a":"` + "\xfe" + `"}`, "invalid UTF-8 at offset 6"},
		{"trailing backslash", `{"a":"\`, ""},
		{"truncated escape", `{"a":"\u12`, ""},
		{"escape at the very end", `\u0041`, ""},
		{"first pair", `{"a":"\ud800\udc00"}`, ""},
		{"last pair", `{"a":"\udbff\udfff"}`, ""},
		{"high surrogate then a non-surrogate", `{"a":"\ud800\ue000"}`, `unpaired UTF-16 surrogate \uD800`},
		{"high surrogate then a high one", `{"a":"\ud800\udbff"}`, `unpaired UTF-16 surrogate \uD800`},
		{"lone low surrogate", `{"a":"\udc00"}`, `unpaired UTF-16 surrogate \uDC00`},
		{"below the surrogates", `{"a":"\ud7ff"}`, ""},
		{"above the surrogates", `{"a":"\ue000"}`, ""},
	} {
		err := checkText([]byte(tt.body))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v, want accepted", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.(*wireError).Message, tt.want)):
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestHex4(t *testing.T) {
	for _, tt := range []struct {
		b    string
		i    int
		want rune
		ok   bool
	}{
		{"09afAF", 0, 0x09af, true},
		{"09afAF", 2, 0xafaf, true},
		{"09afAF", 3, 0, false}, // three digits left
		{"x0041", 1, 0x41, true},
		{"0g00", 0, 0, false},
	} {
		if got, ok := hex4([]byte(tt.b), tt.i); got != tt.want || ok != tt.ok {
			t.Errorf("hex4(%q, %d) = %#x, %v, want %#x, %v", tt.b, tt.i, got, ok, tt.want, tt.ok)
		}
	}
}

// TestPartitionOf: the credential scope selects the account (a 12-digit key
// id) and the region (a plausible region name), from the Authorization
// header or a presigned URL's X-Amz-Credential.
func TestPartitionOf(t *testing.T) {
	scope := func(key, region string) string { return key + "/20260102/" + region + "/amplifybackend/aws4_request" }
	for _, tt := range []struct {
		name, auth, query string
		want              backend.Partition
		bad               bool
	}{
		{"unsigned", "", "", backend.Partition{Account: "000000000000", Region: "ap-south-1"}, false},
		{"account key", "AWS4-HMAC-SHA256 Credential=" + scope("109876543210", "eu-west-1") + ", SignedHeaders=host, Signature=0", "",
			backend.Partition{Account: "109876543210", Region: "eu-west-1"}, false},
		{"other key", "AWS4-HMAC-SHA256 Credential=" + scope("AKIDEXAMPLE", "us-west-2") + ", Signature=0", "",
			backend.Partition{Account: "000000000000", Region: "us-west-2"}, false},
		{"11 digits", "AWS4-HMAC-SHA256 Credential=" + scope("10987654321", "eu-west-1"), "", backend.Partition{Account: "000000000000", Region: "eu-west-1"}, false},
		{"13 digits", "AWS4-HMAC-SHA256 Credential=" + scope("1098765432109", "eu-west-1"), "", backend.Partition{Account: "000000000000", Region: "eu-west-1"}, false},
		{"a colon", "AWS4-HMAC-SHA256 Credential=" + scope("10987654321:", "eu-west-1"), "", backend.Partition{Account: "000000000000", Region: "eu-west-1"}, false},
		{"presigned", "", "X-Amz-Credential=" + scope("999999999990", "sa-east-1"), backend.Partition{Account: "999999999990", Region: "sa-east-1"}, false},
		{"bad region", "AWS4-HMAC-SHA256 Credential=" + scope("AKID", "Eu-West-1"), "", backend.Partition{}, true},
	} {
		r := httptest.NewRequest("POST", "/backend/a/details?"+tt.query, nil)
		if tt.auth != "" {
			r.Header.Set("Authorization", tt.auth)
		}
		got, err := partitionOf(r, "ap-south-1")
		switch {
		case tt.bad && err == nil:
			t.Errorf("%s: %+v, want an error", tt.name, got)
		case !tt.bad && (err != nil || got != tt.want):
			t.Errorf("%s: %+v, %v, want %+v", tt.name, got, err, tt.want)
		}
	}
}

func TestIsRegion(t *testing.T) {
	for s, want := range map[string]bool{
		"us-east-1": true, "az09-": true, strings.Repeat("a", 40): true,
		"": false, strings.Repeat("a", 41): false,
		"`": false, "{": false, "/": false, ":": false, "A": false, "us_east_1": false,
	} {
		if got := isRegion(s); got != want {
			t.Errorf("isRegion(%q) = %v, want %v", s, got, want)
		}
	}
	for s, want := range map[string]bool{"012345678909": true, "01234567890/": false, "01234567890:": false} {
		if got := isAccountID(s); got != want {
			t.Errorf("isAccountID(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestNew_Region: the region of unsigned requests is the one configured
// (us-east-1 by default).
func TestNew_Region(t *testing.T) {
	for region, want := range map[string]string{"": "us-east-1", "eu-central-1": "eu-central-1"} {
		s := New(nil, Options{Region: region})
		p, err := s.partition(httptest.NewRequest("POST", "/backend/a/details", nil), nil, &Exchange{})
		if err != nil || p.Region != want {
			t.Errorf("Region %q: partition %+v, %v, want region %s", region, p, err, want)
		}
	}
}

func newService(t *testing.T) *backend.Service {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc, err := backend.New(ctx, store, backend.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

const createBody = `{"appId":"app1","appName":"n","backendEnvironmentName":"dev"}`

// newRequest is a CreateBackend request to url, signed by key (secret
// "s3cret", region eu-west-1) unless key is "".
func newRequest(t *testing.T, url, key string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("POST", url+"/backend", strings.NewReader(createBody))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		sum := sha256.Sum256([]byte(createBody))
		err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: "s3cret"},
			req, hex.EncodeToString(sum[:]), "amplifybackend", "eu-west-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
	}
	return req
}

// TestPartition_AccountOfTheCredential: with a verifier, a credential's
// account is the partition's; a credential without one is placed as
// unverified requests are (a 12-digit key id, else 000000000000).
func TestPartition_AccountOfTheCredential(t *testing.T) {
	v := sigv4.NewVerifier([]sigv4.Credential{
		{AccessKeyID: "AKIDGOOD", SecretAccessKey: "s3cret", Account: "123456789012"},
		{AccessKeyID: "111122223333", SecretAccessKey: "s3cret"},
		{AccessKeyID: "AKIDNOACCOUNT", SecretAccessKey: "s3cret"},
	}, nil)
	s := New(nil, Options{Verifier: v})
	for key, want := range map[string]string{"AKIDGOOD": "123456789012", "111122223333": "111122223333", "AKIDNOACCOUNT": "000000000000"} {
		p, err := s.partition(newRequest(t, "http://127.0.0.1:4750", key), []byte(createBody), &Exchange{})
		if err != nil || p != (backend.Partition{Account: want, Region: "eu-west-1"}) {
			t.Errorf("signed by %s: %+v, %v, want account %s in eu-west-1", key, p, err, want)
		}
	}
}

// TestServeHTTP_VerifierRequiresSignatures: with a verifier, an unsigned
// request is refused and a signed one is served in its key's account.
func TestServeHTTP_VerifierRequiresSignatures(t *testing.T) {
	v := sigv4.NewVerifier([]sigv4.Credential{{AccessKeyID: "AKIDGOOD", SecretAccessKey: "s3cret", Account: "123456789012"}}, nil)
	srv := httptest.NewServer(New(newService(t), Options{Verifier: v}))
	t.Cleanup(srv.Close)
	do := func(sign bool) (int, string) {
		t.Helper()
		req := newRequest(t, srv.URL, "")
		if sign {
			req = newRequest(t, srv.URL, "AKIDGOOD")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("x-amzn-ErrorType")
	}
	if status, errType := do(false); status != 403 || errType != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned: %d %s, want 403 MissingAuthenticationTokenException", status, errType)
	}
	if status, errType := do(true); status != 200 {
		t.Errorf("signed: %d %s, want 200", status, errType)
	}
}

// TestServeHTTP_ReadTimeoutBoundsTheBody: a body that stops arriving gets
// 408 once ReadTimeout has passed.
func TestServeHTTP_ReadTimeoutBoundsTheBody(t *testing.T) {
	srv := httptest.NewServer(New(newService(t), Options{ReadTimeout: 200 * time.Millisecond}))
	t.Cleanup(srv.Close)
	c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "POST /backend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"appId\":"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || resp.Header.Get("x-amzn-ErrorType") != "RequestTimeoutException" {
		t.Errorf("stalled body: %d %s, want 408 RequestTimeoutException", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
	}
}

// TestServeHTTP_LogsTheStatusSent: the request log line has the status the
// client got.
func TestServeHTTP_LogsTheStatusSent(t *testing.T) {
	var logs strings.Builder
	s := New(nil, Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	for _, tt := range []struct {
		method, path string
		want         int
	}{{"GET", "/nowhere", 404}, {"OPTIONS", "/backend", 200}} {
		logs.Reset()
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != tt.want || !strings.Contains(logs.String(), fmt.Sprintf(`"status":%d`, tt.want)) {
			t.Errorf("%s %s: sent %d, logged %s", tt.method, tt.path, rec.Code, logs.String())
		}
	}
}

// TestServeHTTP_BodyReading: every way a body arrives is read whole or
// refused the same way: a body shorter than its Content-Length (the client
// half-closes) is 400 naming the early end; a small and a large body of
// known length and a chunked one are decoded alike; a chunked body over
// MaxBodyBytes is refused. Every answer has a Content-Length.
func TestServeHTTP_BodyReading(t *testing.T) {
	srv := httptest.NewServer(New(newService(t), Options{ReadTimeout: 10 * time.Second}))
	t.Cleanup(srv.Close)
	// raw sends req on a new connection; halfClose then ends the client's
	// side, which net/http also takes as the client going away (the
	// request's context is canceled).
	raw := func(t *testing.T, req string, halfClose bool) *http.Response {
		t.Helper()
		c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(c, req); err != nil {
			t.Fatal(err)
		}
		if halfClose {
			c.(*net.TCPConn).CloseWrite()
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	t.Run("short body", func(t *testing.T) {
		resp := raw(t, "POST /backend HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"appId\":", true)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 400 || !strings.Contains(string(body), "Could not read the request body: unexpected EOF") {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
	})
	t.Run("chunked over the limit", func(t *testing.T) {
		chunk := strings.Repeat(" ", 64<<10)
		var b strings.Builder
		b.WriteString("POST /backend HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
		for range MaxBodyBytes/len(chunk) + 1 {
			fmt.Fprintf(&b, "%x\r\n%s\r\n", len(chunk), chunk)
		}
		b.WriteString("0\r\n\r\n")
		resp := raw(t, b.String(), false)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 400 || !strings.Contains(string(body), "exceeds the limit") {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
	})
	for _, tc := range []struct {
		name string
		pad  int
		send func(body string) string
	}{
		{"small, known length", 0, func(body string) string {
			return fmt.Sprintf("POST /backend HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		}},
		{"large, known length", presizedBodyBytes, func(body string) string {
			return fmt.Sprintf("POST /backend HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		}},
		{"chunked", 100, func(body string) string {
			half := len(body) / 2
			return fmt.Sprintf("POST /backend HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n",
				half, body[:half], len(body)-half, body[half:])
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			appID := "body" + strings.ReplaceAll(strings.ReplaceAll(tc.name, " ", ""), ",", "")
			body := `{"appId":"` + appID + `","appName":"n","backendEnvironmentName":"dev"` + strings.Repeat(" ", tc.pad) + `}`
			resp := raw(t, tc.send(body), false)
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !strings.Contains(string(got), `"appId":"`+appID+`"`) {
				t.Errorf("got %d %s", resp.StatusCode, got)
			}
			if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(got)) || len(resp.TransferEncoding) > 0 {
				t.Errorf("Content-Length %q, Transfer-Encoding %q for a body of %d bytes", cl, resp.TransferEncoding, len(got))
			}
		})
	}
}
