package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/awsproto"
	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/httpapi"
	"github.com/amplifylite/amplifylite/internal/sigv4"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// echo is a service that answers its operation from the query protocol's
// Action, or refuses with it.
type echo struct{ got *awsproto.Request }

func (e *echo) Serve(w http.ResponseWriter, r *http.Request, req *awsproto.Request) string {
	e.got = req
	form, _ := awsproto.QueryForm(r, req.Body)
	if form.Get("Action") == "Refuse" {
		awsproto.WriteQueryError(w, req.RequestID, &awsproto.Error{Code: "ValidationError", Status: 400, Message: "no"})
		return "Refuse"
	}
	w.WriteHeader(http.StatusNoContent)
	return form.Get("Action")
}

func (e *echo) Operation(r *http.Request, body []byte) string { return awsproto.QueryAction(r, body) }

func (e *echo) Fail(w http.ResponseWriter, _ *http.Request, req *awsproto.Request, err *awsproto.Error) {
	awsproto.WriteQueryError(w, req.RequestID, err)
}

func TestServices_DispatchAuthenticateObserve(t *testing.T) {
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
	var seen []httpapi.Exchange
	e, public := &echo{}, &echo{}
	h := httpapi.New(svc, httpapi.Options{
		Verifier: sigv4.NewVerifier([]sigv4.Credential{{AccessKeyID: "AKID", SecretAccessKey: "s", Account: "123456789012"}}, nil),
		Services: map[string]awsproto.Handler{"echo": e},
		Public:   map[string]awsproto.Handler{"/Public": public},
		Observe:  func(x httpapi.Exchange) { seen = append(seen, x) },
	})
	send := func(secret, service, path, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "http://127.0.0.1:4750"+path, strings.NewReader(body))
		if service != "" {
			sum := sha(body)
			if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: secret}, r, sum, service, "eu-west-1", time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	if w := send("s", "echo", "/", "Action=Hello"); w.Code != 204 || e.got.Partition != (backend.Partition{Account: "123456789012", Region: "eu-west-1"}) || string(e.got.Body) != "Action=Hello" {
		t.Fatalf("signed: %d %+v", w.Code, e.got)
	}
	if x := seen[len(seen)-1]; x.Operation != "echo:Hello" || x.Signature != httpapi.SignatureValid || x.Account != "123456789012" || x.ErrorType != "" {
		t.Errorf("exchange %+v", x)
	}
	if w := send("s", "echo", "/", "Action=Refuse"); w.Code != 400 {
		t.Fatalf("refused: %d", w.Code)
	}
	if x := seen[len(seen)-1]; x.Operation != "echo:Refuse" || x.ErrorType != "ValidationError" {
		t.Errorf("exchange of a refusal %+v", x)
	}
	if w := send("wrong", "echo", "/", "Action=Hello"); w.Code != 403 || !strings.Contains(w.Body.String(), "<Code>SignatureDoesNotMatch</Code>") {
		t.Fatalf("forged: %d %s", w.Code, w.Body)
	}
	if x := seen[len(seen)-1]; x.Signature != httpapi.SignatureInvalid || x.ErrorType != "SignatureDoesNotMatch" || x.Operation != "echo:Hello" {
		t.Errorf("exchange of a forgery %+v", x)
	}
	// Unsigned: a public prefix is served without credentials; anything else is AmplifyBackend's.
	if w := send("", "", "/Public/x", ""); w.Code != 204 || public.got == nil {
		t.Errorf("public: %d", w.Code)
	}
	if w := send("", "", "/Other", ""); w.Code != 404 || w.Header()["x-amzn-ErrorType"][0] != "UnknownOperationException" {
		t.Errorf("unsigned elsewhere: %d %v", w.Code, w.Header())
	}
	// A scope naming an unknown service is AmplifyBackend's, whose verifier refuses it.
	if w := send("s", "lambda", "/backend", "{}"); w.Code != 403 || w.Header()["x-amzn-ErrorType"][0] != "InvalidSignatureException" {
		t.Errorf("unknown service: %d %v", w.Code, w.Header())
	}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
