package awsproto

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteQueryError_NamesAsTheQueryProtocol(t *testing.T) {
	for _, c := range []struct {
		in         *Error
		code, kind string
	}{
		{&Error{Code: CodeInvalidSignature, Status: 403, Message: "m"}, "SignatureDoesNotMatch", "Sender"},
		{&Error{Code: CodeUnknownKey, Status: 403}, "InvalidClientTokenId", "Sender"},
		{&Error{Code: "ValidationError", Status: 400}, "ValidationError", "Sender"},
		{Internal(discard(), "req-1", errors.New("disk on fire")), "InternalFailure", "Receiver"},
	} {
		w := httptest.NewRecorder()
		WriteQueryError(w, "req-1", c.in)
		body := w.Body.String()
		if w.Code != c.in.Status || !strings.Contains(body, "<Code>"+c.code+"</Code>") || !strings.Contains(body, "<Type>"+c.kind+"</Type>") ||
			!strings.Contains(body, "<RequestId>req-1</RequestId>") || strings.Contains(body, "disk on fire") {
			t.Errorf("%v: %d %s", c.in, w.Code, body)
		}
	}
}

func TestWriteS3Error(t *testing.T) {
	w := httptest.NewRecorder()
	WriteS3Error(w, httptest.NewRequest("GET", "/b/k", nil), "req-2", "/b/k", &Error{Code: CodeMissingAuth, Status: 403, Message: "m"})
	if b := w.Body.String(); w.Code != 403 || !strings.Contains(b, "<Code>AccessDenied</Code>") || !strings.Contains(b, "<Resource>/b/k</Resource>") || w.Header().Get("x-amz-request-id") != "req-2" {
		t.Errorf("GET: %d %s", w.Code, b)
	}
	w = httptest.NewRecorder()
	WriteS3Error(w, httptest.NewRequest("HEAD", "/b/k", nil), "req-3", "/b/k", &Error{Code: "NoSuchKey", Status: 404})
	if w.Code != 404 || w.Body.Len() != 0 {
		t.Errorf("HEAD: %d %q", w.Code, w.Body)
	}
}

func TestQueryForm(t *testing.T) {
	post := httptest.NewRequest("POST", "/?Action=Ignored", nil)
	if f, err := QueryForm(post, []byte("Action=GetCallerIdentity&Version=2011-06-15")); err != nil || f.Get("Action") != "GetCallerIdentity" {
		t.Errorf("POST: %v %v", f, err)
	}
	if f, err := QueryForm(httptest.NewRequest("GET", "/?Action=DescribeStacks", nil), nil); err != nil || f.Get("Action") != "DescribeStacks" {
		t.Errorf("GET: %v %v", f, err)
	}
	if _, err := QueryForm(httptest.NewRequest("PUT", "/", nil), nil); err == nil || err.Status != http.StatusBadRequest {
		t.Errorf("PUT: %v", err)
	}
	if _, err := QueryForm(post, []byte("Action=%zz")); err == nil || err.Code != "MalformedQueryString" {
		t.Errorf("bad form: %v", err)
	}
}

func TestWriteJSON_KeepsAGivenContentType(t *testing.T) {
	w := httptest.NewRecorder()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	WriteJSONError(w, &Error{Code: "ResourceNotFoundException", Status: 400, Message: "gone"})
	if w.Header().Get("Content-Type") != "application/x-amz-json-1.1" || w.Header()["x-amzn-ErrorType"][0] != "ResourceNotFoundException" ||
		w.Body.String() != `{"__type":"ResourceNotFoundException","message":"gone"}` {
		t.Errorf("%v %s", w.Header(), w.Body)
	}
	w = httptest.NewRecorder()
	WriteJSON(w, 200, map[string]string{"a": "<b>"})
	if w.Header().Get("Content-Type") != "application/json" || w.Body.String() != `{"a":"<b>"}` {
		t.Errorf("%v %s", w.Header(), w.Body)
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
