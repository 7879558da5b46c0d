package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/amplifylite/amplifylite/internal/backend"
)

func TestServeHTTP_PanicIsAnInternalServiceException(t *testing.T) {
	var logs bytes.Buffer
	s := New(nil, Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	s.routes = []route{{
		op:   s.routes[0].op,
		tmpl: s.routes[0].tmpl,
		call: func(context.Context, backend.Partition, pathParams, []byte) ([]byte, error) { panic("boom") },
	}}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/backend/a/environments/b/clone", strings.NewReader("{}")))
	// Headers keep AWS's exact casing, so read them by their literal key.
	if errType := rec.Header()["x-amzn-ErrorType"]; rec.Code != 500 || len(errType) != 1 || errType[0] != "InternalServiceException" {
		t.Fatalf("got %d %q", rec.Code, errType)
	}
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	id := strings.Join(rec.Header()["x-amzn-RequestId"], "")
	if id == "" || !strings.Contains(body["message"], id) || strings.Contains(body["message"], "boom") {
		t.Errorf("message %q must carry the request id %q and not the panic", body["message"], id)
	}
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), id) {
		t.Errorf("the panic is not logged with the request id: %s", logs.String())
	}
}
