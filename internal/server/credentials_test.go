package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/sigv4"
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
	opts.Listen, opts.DataDir, opts.JobDuration = "127.0.0.1:0", Memory, 0
	opts.Credentials = []sigv4.Credential{{AccessKeyID: "AKIDGOOD", SecretAccessKey: "s3cret", Account: "123456789012"}}
	s, err := Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	call := func(secret string, sign bool) (int, string) {
		body := `{"appId":"a","appName":"n","backendEnvironmentName":"dev"}`
		req, _ := http.NewRequest("POST", s.URL+"/backend", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if sign {
			sum := sha256.Sum256([]byte(body))
			v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDGOOD", SecretAccessKey: secret},
				req, hex.EncodeToString(sum[:]), "amplifybackend", "us-east-1", time.Now())
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("x-amzn-ErrorType")
	}
	if code, typ := call("s3cret", true); code != 200 {
		t.Errorf("signed: %d %s", code, typ)
	}
	if code, typ := call("wrong", true); code != 403 || typ != "InvalidSignatureException" {
		t.Errorf("bad secret: %d %s", code, typ)
	}
	if code, typ := call("", false); code != 403 || typ != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned: %d %s", code, typ)
	}
	if resp, err := http.Get(s.URL + "/_amplifylite/health"); err != nil || resp.StatusCode != 200 {
		t.Errorf("health must stay open: %v %v", resp, err)
	}
}
