package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

func TestParseCredentials(t *testing.T) {
	got, err := parseCredentials("AKID1:s1:123456789012, AKID2:s2")
	want := []sigv4.Credential{{AccessKeyID: "AKID1", SecretAccessKey: "s1", Account: "123456789012"}, {AccessKeyID: "AKID2", SecretAccessKey: "s2"}}
	if err != nil || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"AKID", "AKID:", ":s", "A:s:12", "A:s:12345678901x", "A:s:1:2"} {
		if _, err := parseCredentials(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestCredentials_SignedRequestsOnly drives a server that requires SigV4.
func TestCredentials_SignedRequestsOnly(t *testing.T) {
	opts := DefaultOptions()
	opts.Listen, opts.DataDir, opts.JobDuration = "127.0.0.1:0", sqlite.Memory, 0
	opts.Credentials = []sigv4.Credential{
		{AccessKeyID: "AKIDGOOD", SecretAccessKey: "s3cret", Account: "123456789012"},
		{AccessKeyID: "AKIDPLAIN", SecretAccessKey: "other"}, // the default account
	}
	s, err := Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	call := func(key, secret string, sign bool, path, body string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if sign {
			sum := sha256.Sum256([]byte(body))
			err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
				req, hex.EncodeToString(sum[:]), "amplifybackend", "us-east-1", time.Now())
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
		return resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), string(raw)
	}
	create := `{"appId":"a","appName":"n","backendEnvironmentName":"dev"}`
	if code, typ, _ := call("AKIDGOOD", "s3cret", true, "/backend", create); code != 200 {
		t.Errorf("signed: %d %s", code, typ)
	}
	if code, typ, _ := call("AKIDGOOD", "wrong", true, "/backend", create); code != 403 || typ != "InvalidSignatureException" {
		t.Errorf("bad secret: %d %s", code, typ)
	}
	if code, typ, _ := call("", "", false, "/backend", create); code != 403 || typ != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned: %d %s", code, typ)
	}
	if resp, err := http.Get(s.URL + "/_amplifylite/health"); err != nil || resp.StatusCode != 200 {
		t.Errorf("health must stay open: %v %v", resp, err)
	}

	// The key's account, not the key id, selects the partition.
	var code int
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if code, _, body = call("AKIDGOOD", "s3cret", true, "/backend/a/details", `{}`); code == 200 {
			break
		}
	}
	if code != 200 || !strings.Contains(body, "arn:aws:iam::123456789012:role/") {
		t.Errorf("GetBackend with the key of account 123456789012: %d %s", code, body)
	}
	if code, typ, body := call("AKIDPLAIN", "other", true, "/backend/a/details", `{}`); code != 404 || typ != "NotFoundException" {
		t.Errorf("another account's key sees the app: %d %s", code, body)
	}
}
