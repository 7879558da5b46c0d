package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/sigv4"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Two accounts' keys, for the servers of these tests.
var (
	keyA = sigv4.Credential{AccessKeyID: "AKIDACCOUNTA", SecretAccessKey: "secretA", Account: "111111111111"}
	keyB = sigv4.Credential{AccessKeyID: "AKIDACCOUNTB", SecretAccessKey: "secretB", Account: "222222222222"}
)

// startSigned starts an in-memory server requiring keyA or keyB.
func startSigned(t *testing.T) *Server {
	t.Helper()
	opts := DefaultOptions()
	opts.Listen, opts.DataDir, opts.JobDuration = "127.0.0.1:0", sqlite.Memory, 0
	opts.Credentials = []sigv4.Credential{keyA, keyB}
	s, err := Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// awsReq is one request to a service on the server, signed as that
// service's clients sign it (key nil: unsigned).
type awsReq struct {
	service, method, path, body string
	header                      map[string]string
	key                         *sigv4.Credential
	region                      string
}

type awsResp struct {
	status int
	header http.Header
	body   string
}

func (q awsReq) do(t *testing.T, base string) awsResp {
	t.Helper()
	req, err := http.NewRequest(q.method, base+q.path, strings.NewReader(q.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range q.header {
		req.Header.Set(k, v)
	}
	if q.key != nil {
		sum := sha256.Sum256([]byte(q.body))
		hash := hex.EncodeToString(sum[:])
		signer := v4.NewSigner()
		if q.service == "s3" {
			req.Header.Set("X-Amz-Content-Sha256", hash)
			signer = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
		}
		region := q.region
		if region == "" {
			region = "us-east-1"
		}
		err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: q.key.AccessKeyID, SecretAccessKey: q.key.SecretAccessKey},
			req, hash, q.service, region, time.Now())
		if err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return awsResp{resp.StatusCode, resp.Header, string(raw)}
}

// xmlField returns the text of the first element named name in an XML body.
func xmlField(t *testing.T, body, name string) string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == name {
			var s string
			if err := dec.DecodeElement(&s, &se); err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
}

func jsonOf(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not JSON: %v: %s", err, body)
	}
	return m
}

const stsForm = "Action=GetCallerIdentity&Version=2011-06-15"

func TestSTS_GetCallerIdentity(t *testing.T) {
	s := startSigned(t)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
	for _, key := range []sigv4.Credential{keyA, keyB} {
		got := awsReq{service: "sts", method: "POST", path: "/", body: stsForm, header: form, key: &key}.do(t, s.URL)
		if got.status != 200 || xmlField(t, got.body, "Account") != key.Account ||
			xmlField(t, got.body, "Arn") != "arn:aws:iam::"+key.Account+":root" || xmlField(t, got.body, "RequestId") == "" {
			t.Errorf("%s: %d %s", key.AccessKeyID, got.status, got.body)
		}
	}
	t.Run("refusals", func(t *testing.T) {
		wrong := keyA
		wrong.SecretAccessKey = "nope"
		unknown := sigv4.Credential{AccessKeyID: "AKIDNOBODY", SecretAccessKey: "x"}
		for _, c := range []struct {
			name string
			req  awsReq
			code string
		}{
			{"bad secret", awsReq{service: "sts", method: "POST", path: "/", body: stsForm, header: form, key: &wrong}, "SignatureDoesNotMatch"},
			{"unknown key", awsReq{service: "sts", method: "POST", path: "/", body: stsForm, header: form, key: &unknown}, "InvalidClientTokenId"},
			{"unknown action", awsReq{service: "sts", method: "POST", path: "/", body: "Action=AssumeRoot", header: form, key: &keyA}, "InvalidAction"},
			{"no action", awsReq{service: "sts", method: "POST", path: "/", body: "", header: form, key: &keyA}, "MissingAction"},
			{"huge", awsReq{service: "sts", method: "POST", path: "/", body: stsForm + "&x=" + strings.Repeat("a", 2<<20), header: form, key: &keyA}, "RequestEntityTooLarge"},
		} {
			got := c.req.do(t, s.URL)
			if got.status < 400 || got.status >= 500 || xmlField(t, got.body, "Code") != c.code || xmlField(t, got.body, "Type") != "Sender" {
				t.Errorf("%s: %d %s", c.name, got.status, got.body)
			}
		}
	})
	t.Run("a body changed after signing", func(t *testing.T) {
		req, _ := http.NewRequest("POST", s.URL+"/", strings.NewReader(stsForm))
		sum := sha256.Sum256([]byte(stsForm))
		v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: keyA.AccessKeyID, SecretAccessKey: keyA.SecretAccessKey},
			req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now())
		req.Body = io.NopCloser(strings.NewReader(stsForm + "&Extra=1"))
		req.ContentLength = int64(len(stsForm) + 8)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("a signature for sts does not authorise AmplifyBackend", func(t *testing.T) {
		got := awsReq{service: "amplifybackend", method: "POST", path: "/backend", body: `{}`, key: &keyA}.do(t, s.URL)
		if got.status != 400 { // signed right, but invalid input: it reached AmplifyBackend
			t.Fatalf("amplifybackend: %d %s", got.status, got.body)
		}
		// The same request claiming to be sts's is refused by STS: unknown action.
		got = awsReq{service: "sts", method: "POST", path: "/backend", body: `{}`, key: &keyA}.do(t, s.URL)
		if got.status != 400 || xmlField(t, got.body, "Code") == "" {
			t.Fatalf("sts: %d %s", got.status, got.body)
		}
		// An unknown signing name goes to AmplifyBackend, which refuses its scope.
		got = awsReq{service: "lambda", method: "POST", path: "/backend", body: `{}`, key: &keyA}.do(t, s.URL)
		if got.status != 403 || got.header.Get("x-amzn-ErrorType") != "InvalidSignatureException" {
			t.Fatalf("lambda: %d %s", got.status, got.body)
		}
	})
}

func xmlUnmarshal(body string, v any) error { return xml.Unmarshal([]byte(body), v) }

// TestServices_WithoutCredentials: with no --credentials signatures are not
// checked, the scope's service still picks the service, and a 12-digit key
// is the account.
func TestServices_WithoutCredentials(t *testing.T) {
	opts := DefaultOptions()
	opts.Listen, opts.DataDir, opts.JobDuration = "127.0.0.1:0", sqlite.Memory, 0
	s, err := Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	anyKey := sigv4.Credential{AccessKeyID: "333344445555", SecretAccessKey: "whatever"}
	buildBackend(t, s.URL, &anyKey, "openapp", "dev")
	bucket := get(backendMeta(t, s.URL, &anyKey, "openapp", "dev"), "providers", "awscloudformation", "DeploymentBucketName").(string)
	if got := s3Get(t, s.URL, &anyKey, "GET", "/"+bucket+"/amplify-meta.json"); got.status != 200 {
		t.Errorf("S3: %d %s", got.status, got.body)
	}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	if got := (awsReq{service: "sts", method: "POST", path: "/", body: stsForm, header: form, key: &anyKey}).do(t, s.URL); xmlField(t, got.body, "Account") != "333344445555" {
		t.Errorf("STS: %d %s", got.status, got.body)
	}
	// Another key's account does not see it.
	other := sigv4.Credential{AccessKeyID: "AKIDSOMEONE", SecretAccessKey: "x"}
	if got := s3Get(t, s.URL, &other, "GET", "/"+bucket+"/amplify-meta.json"); got.status != 404 {
		t.Errorf("S3 as 000000000000: %d", got.status)
	}
	// Unsigned AppState finds the app in its account.
	resp, err := http.Get(s.URL + "/AppState/openapp")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("AppState: %d", resp.StatusCode)
	}
}
