package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/amplifylite/amplifylite/amplifybackend"
	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/sigv4"
)

// wireError is an error as the client sees it: the exception name that goes
// into x-amzn-ErrorType and __type, the status, and the body members.
type wireError struct {
	Type         string
	Status       int
	Message      string
	ResourceType string
	LimitType    string
}

func (e *wireError) Error() string { return e.Type + ": " + e.Message }

func badRequest(msg string) *wireError {
	return &wireError{Type: "BadRequestException", Status: http.StatusBadRequest, Message: msg}
}

var exceptions = map[backend.ErrorKind]struct {
	name   string
	status int
}{
	backend.BadRequest:      {"BadRequestException", http.StatusBadRequest},
	backend.NotFound:        {"NotFoundException", http.StatusNotFound},
	backend.TooManyRequests: {"TooManyRequestsException", http.StatusTooManyRequests},
	backend.GatewayTimeout:  {"GatewayTimeoutException", http.StatusGatewayTimeout},
}

// toWire is the one place where errors become responses. Anything it does not
// recognise is an internal fault: logged in full, shown to the client only as
// InternalServiceException with the request id.
func toWire(err error, log *slog.Logger, requestID string) *wireError {
	var we *wireError
	var be *backend.Error
	var ve *amplifybackend.ValidationError
	var ae *sigv4.Error
	switch {
	case errors.As(err, &ae):
		return &wireError{Type: ae.Type, Status: http.StatusForbidden, Message: ae.Message}
	case errors.As(err, &we):
		return we
	case errors.As(err, &ve):
		return badRequest(ve.Error())
	case errors.As(err, &be):
		t, ok := exceptions[be.Kind]
		if ok {
			if be.Cause != nil {
				log.Warn("request failed", "requestId", requestID, "type", t.name, "err", err)
			}
			return &wireError{Type: t.name, Status: t.status, Message: be.Message, ResourceType: be.ResourceType, LimitType: be.LimitType}
		}
	}
	log.Error("internal error", "requestId", requestID, "err", err)
	return &wireError{Type: "InternalServiceException", Status: http.StatusInternalServerError,
		Message: "An internal error occurred; request id " + requestID}
}

func writeError(w http.ResponseWriter, we *wireError) {
	h := w.Header()
	h["x-amzn-ErrorType"] = []string{we.Type}
	body := struct {
		Type         string `json:"__type"`
		Message      string `json:"message"`
		ResourceType string `json:"resourceType,omitempty"`
		LimitType    string `json:"limitType,omitempty"`
	}{we.Type, we.Message, we.ResourceType, we.LimitType}
	writeJSON(w, we.Status, body)
}
