package backend

import "fmt"

// ErrorKind is the class of a domain error; the HTTP edge maps each kind to
// one of the API's exceptions.
type ErrorKind int

// Error kinds, one per modelled exception.
const (
	BadRequest ErrorKind = iota + 1
	NotFound
	TooManyRequests
	GatewayTimeout
)

// Resource types reported with NotFound errors.
const (
	TypeApp           = "App"
	TypeEnvironment   = "BackendEnvironment"
	TypeJob           = "Job"
	TypeAuth          = "Auth"
	TypeAPI           = "API"
	TypeStorage       = "Storage"
	TypeToken         = "Token"
	TypeBackendConfig = "BackendConfig"
)

// Error is a failure the client caused or must be told about.
type Error struct {
	Kind         ErrorKind
	Message      string
	ResourceType string // NotFound only
	LimitType    string // TooManyRequests only
	// Cause, when set, is what the server logs about the failure; the client
	// sees only Message.
	Cause error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Message + ": " + e.Cause.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// LimitConcurrentUpdates is the LimitType of the TooManyRequests error a
// store answers when concurrent writers kept conflicting with an update
// until it gave up; the client may retry it (AWS SDKs retry
// TooManyRequestsException).
const LimitConcurrentUpdates = "ConcurrentUpdates"

func badRequestf(format string, args ...any) *Error {
	return &Error{Kind: BadRequest, Message: fmt.Sprintf(format, args...)}
}

func notFoundf(resourceType, format string, args ...any) *Error {
	return &Error{Kind: NotFound, ResourceType: resourceType, Message: fmt.Sprintf(format, args...)}
}

func appNotFound(appID string) *Error {
	return notFoundf(TypeApp, "App %s not found", appID)
}

func envNotFound(appID, env string) *Error {
	return notFoundf(TypeEnvironment, "Backend environment %s not found for app %s", env, appID)
}

// jobFailure is an error that fails a job instead of the request: the job
// ends FAILED with this message and nothing else changes.
type jobFailure struct{ msg string }

func (e *jobFailure) Error() string { return e.msg }

func failJob(format string, args ...any) error { return &jobFailure{msg: fmt.Sprintf(format, args...)} }
