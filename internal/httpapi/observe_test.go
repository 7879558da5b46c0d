package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/httpapi"
	"github.com/amplifylite/amplifylite/internal/sigv4"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// hooked is an API handler whose hooks the test sees.
type hooked struct {
	h         http.Handler
	mu        sync.Mutex
	exchanges []httpapi.Exchange
	calls     []httpapi.Call
	appIDs    []string
	fault     httpapi.Fault // what Faults answers
}

func newHooked(t *testing.T, verifier *sigv4.Verifier) *hooked {
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
	k := &hooked{}
	control := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})
	k.h = httpapi.New(svc, httpapi.Options{Verifier: verifier, Control: control,
		Observe: func(x httpapi.Exchange) {
			k.mu.Lock()
			defer k.mu.Unlock()
			k.exchanges = append(k.exchanges, x)
		},
		Faults: func(c httpapi.Call) httpapi.Fault {
			k.mu.Lock()
			defer k.mu.Unlock()
			k.calls = append(k.calls, c)
			k.appIDs = append(k.appIDs, c.AppID())
			return k.fault
		},
	})
	return k
}

func (k *hooked) do(t *testing.T, method, path, body string, sign ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if len(sign) == 2 {
		sum := sha256.Sum256([]byte(body))
		err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: sign[0], SecretAccessKey: sign[1]},
			r, hex.EncodeToString(sum[:]), "amplifybackend", "eu-west-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
	}
	w := httptest.NewRecorder()
	k.h.ServeHTTP(w, r)
	return w
}

func (k *hooked) last() httpapi.Exchange {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.exchanges[len(k.exchanges)-1]
}

func TestControl_PathsGoToTheControlPlane(t *testing.T) {
	k := newHooked(t, nil)
	for _, path := range []string{"/_amplifylite/health", "/_amplifylite/faults/x", "/metrics"} {
		if w := k.do(t, "GET", path, ""); w.Code != http.StatusTeapot || len(w.Header()["x-amzn-RequestId"]) != 1 {
			t.Errorf("%s: %d %v", path, w.Code, w.Header())
		}
	}
	if len(k.exchanges) != 0 {
		t.Errorf("control-plane requests were observed: %+v", k.exchanges)
	}
	if w := k.do(t, "GET", "/metricsx", ""); w.Code != 404 {
		t.Errorf("/metricsx: %d", w.Code)
	}
}

func TestObserve_Exchanges(t *testing.T) {
	k := newHooked(t, nil)
	k.do(t, "POST", "/backend", `{"appId":"a1","appName":"n","backendEnvironmentName":"dev"}`)
	x := k.last()
	if x.Operation != "CreateBackend" || x.Method != "POST" || x.Path != "/backend" || x.Status != 200 || x.ErrorType != "" ||
		x.Account != "000000000000" || x.Region != "us-east-1" || x.Signature != httpapi.SignatureNone || x.RequestID == "" ||
		x.Start.IsZero() || x.Duration <= 0 || x.Fault != "" {
		t.Errorf("CreateBackend: %+v", x)
	}
	k.do(t, "POST", "/backend/nope/details", `{}`)
	if x := k.last(); x.Operation != "GetBackend" || x.Status != 404 || x.ErrorType != "NotFoundException" {
		t.Errorf("GetBackend of an unknown app: %+v", x)
	}
	k.do(t, "GET", "/no/such/operation", "")
	if x := k.last(); x.Operation != "-" || x.Status != 404 || x.ErrorType != "UnknownOperationException" || x.Account != "" {
		t.Errorf("unknown operation: %+v", x)
	}
}

func TestObserve_SignatureVerdicts(t *testing.T) {
	k := newHooked(t, sigv4.NewVerifier([]sigv4.Credential{{AccessKeyID: "AKID", SecretAccessKey: "s", Account: "111122223333"}}, nil))
	k.do(t, "POST", "/s3Buckets", `{}`, "AKID", "s")
	if x := k.last(); x.Status != 200 || x.Signature != httpapi.SignatureValid || x.Account != "111122223333" || x.Region != "eu-west-1" {
		t.Errorf("signed: %+v", x)
	}
	k.do(t, "POST", "/s3Buckets", `{}`, "AKID", "wrong")
	if x := k.last(); x.Status != 403 || x.Signature != httpapi.SignatureInvalid || x.ErrorType != "InvalidSignatureException" {
		t.Errorf("bad signature: %+v", x)
	}
	k.do(t, "POST", "/s3Buckets", `{}`)
	if x := k.last(); x.Status != 403 || x.Signature != httpapi.SignatureInvalid || x.ErrorType != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned: %+v", x)
	}
	if len(k.calls) != 1 {
		t.Errorf("Faults was asked about %d requests, want only the authenticated one", len(k.calls))
	}
}

func TestFaults_InjectedBeforeTheDomain(t *testing.T) {
	k := newHooked(t, nil)
	k.fault = httpapi.Fault{Rule: "r1", Status: 429, Type: "TooManyRequestsException", Message: "Rate exceeded"}
	w := k.do(t, "POST", "/backend", `{"appId":"a1","appName":"n","backendEnvironmentName":"dev"}`)
	var body map[string]any
	json.Unmarshal(w.Body.Bytes(), &body)
	if w.Code != 429 || w.Header()["x-amzn-ErrorType"][0] != "TooManyRequestsException" ||
		body["__type"] != "TooManyRequestsException" || body["message"] != "Rate exceeded" || len(body) != 2 {
		t.Errorf("injected error: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if x := k.last(); x.Fault != "r1" || x.ErrorType != "TooManyRequestsException" || x.Status != 429 {
		t.Errorf("journal of the injected error: %+v", x)
	}
	c := k.calls[0]
	if c.Operation != "CreateBackend" || c.Partition != (backend.Partition{Account: "000000000000", Region: "us-east-1"}) || k.appIDs[0] != "a1" {
		t.Errorf("call: %+v app %q", c, k.appIDs[0])
	}

	k.fault = httpapi.Fault{}
	if w := k.do(t, "POST", "/backend/a1/details", `{}`); w.Code != 404 {
		t.Errorf("the faulted CreateBackend created the app: %d %s", w.Code, w.Body)
	}
	if k.appIDs[1] != "a1" {
		t.Errorf("app id from the path: %q", k.appIDs[1])
	}
	k.do(t, "POST", "/s3Buckets", `{}`)
	if k.appIDs[2] != "" {
		t.Errorf("ListS3Buckets names app %q", k.appIDs[2])
	}

	k.fault = httpapi.Fault{Rule: "slow", Delay: 50 * time.Millisecond}
	start := time.Now()
	w = k.do(t, "POST", "/backend", `{"appId":"a2","appName":"n","backendEnvironmentName":"dev"}`)
	if took := time.Since(start); w.Code != 200 || took < 50*time.Millisecond {
		t.Errorf("delayed: %d after %v", w.Code, took)
	}
	if x := k.last(); x.Fault != "slow" || x.Duration < 50*time.Millisecond {
		t.Errorf("journal of the delayed call: %+v", x)
	}
}
