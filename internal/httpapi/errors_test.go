package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// TestToWire_RetryableConflict: a store that gave up on an update under
// contention answers 429 TooManyRequestsException (AWS SDKs retry it, by
// status and by code), with the limit type and without the internal cause,
// which goes to the log.
func TestToWire_RetryableConflict(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	err := fmt.Errorf("create backend: %w", &backend.Error{Kind: backend.TooManyRequests, LimitType: backend.LimitConcurrentUpdates,
		Message: "Concurrent requests kept conflicting with this one; retry it", Cause: errors.New("update: 20 conflicting attempts: 40001")})
	rec := httptest.NewRecorder()
	writeError(rec, toWire(err, log, "req-1"))
	var body map[string]string
	if jerr := json.Unmarshal(rec.Body.Bytes(), &body); jerr != nil {
		t.Fatal(jerr)
	}
	if rec.Code != 429 || rec.Header()["x-amzn-ErrorType"][0] != "TooManyRequestsException" || body["__type"] != "TooManyRequestsException" ||
		body["limitType"] != backend.LimitConcurrentUpdates || strings.Contains(body["message"], "40001") {
		t.Errorf("got %d %v", rec.Code, body)
	}
	if !strings.Contains(logs.String(), "40001") || !strings.Contains(logs.String(), "req-1") {
		t.Errorf("the cause is not logged with the request id: %s", logs.String())
	}
}
