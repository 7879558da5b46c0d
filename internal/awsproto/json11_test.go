package awsproto

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPage_WalksEveryItemOnce(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	id := func(s string) string { return s }
	var got []string
	token := ""
	for pages := 0; ; pages++ {
		page, next, ok := Page(items, id, token, 2)
		if !ok || pages > 3 {
			t.Fatalf("page %d: ok=%v", pages, ok)
		}
		got = append(got, page...)
		if next == "" {
			break
		}
		token = next
	}
	if strings.Join(got, "") != "abcde" {
		t.Errorf("pages: %v", got)
	}
	if _, _, ok := Page(items, id, "!not base64", 2); ok {
		t.Error("a token Page did not make is accepted")
	}
}

func TestJSON11_OpAndErrors(t *testing.T) {
	j := JSON11{Prefix: "Svc.", Service: "Some Service"}
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set("X-Amz-Target", "Svc.DoIt")
	if op, e := j.Op(r); op != "DoIt" || e != nil {
		t.Errorf("Op: %q %v", op, e)
	}
	for _, target := range []string{"Other.DoIt", "Svc.", ""} {
		r.Header.Set("X-Amz-Target", target)
		if op, e := j.Op(r); op != "-" || e == nil || e.Code != "UnknownOperationException" {
			t.Errorf("Op(%q): %q %v", target, op, e)
		}
	}
	if e := j.Unserved("X", "A", "B", "C"); e.Message != "amplifylite serves only A, B and C of Some Service, not X" {
		t.Errorf("Unserved: %q", e.Message)
	}
	var v struct{ A int }
	if e := j.Decode([]byte(" "), &v); e != nil {
		t.Errorf("an empty body: %v", e)
	}
	if e := j.Decode([]byte(`{"A":"x"}`), &v); e == nil || e.Code != "SerializationException" {
		t.Errorf("a wrong type: %v", e)
	}
	if Invalid("V", nil) != nil {
		t.Error("no broken constraint is an error")
	}
	if e := Invalid("V", []string{"one", "two"}); e.Message != "2 validation errors detected: one; two" || e.Status != 400 {
		t.Errorf("Invalid: %+v", e)
	}
	w := httptest.NewRecorder()
	j.Write(w, nil, &Error{Code: "NopeException", Status: 400, Message: "m"})
	if w.Code != 400 || w.Header()["x-amzn-ErrorType"][0] != "NopeException" || w.Header().Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Errorf("Write of an error: %d %v %s", w.Code, w.Header(), w.Body)
	}
}
