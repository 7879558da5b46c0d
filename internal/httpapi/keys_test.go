package httpapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"testing"
)

// decodeSlow is decodeBody without its fast path: what every body decoded to
// before the fast path existed.
func decodeSlow(body []byte, in any) error { return decodeBodyVia(body, in, nil) }

// checkSamePath fails t unless decodeBody and decodeSlow agree on body: the
// same error message, or equal values.
func checkSamePath(t *testing.T, kind uint8, body []byte) {
	t.Helper()
	fast, slow := newInput(kind), newInput(kind)
	errFast, errSlow := decodeBody(body, fast), decodeSlow(body, slow)
	if (errFast == nil) != (errSlow == nil) || errFast != nil && errFast.Error() != errSlow.Error() {
		t.Fatalf("%T %q: error %v, the slow path's %v", fast, body, errFast, errSlow)
	}
	if errFast == nil && !reflect.DeepEqual(fast, slow) {
		a, _ := json.Marshal(fast)
		b, _ := json.Marshal(slow)
		t.Fatalf("%T %q: decoded %s, the slow path %s", fast, body, a, b)
	}
}

func TestDecodeBody_FastPathAgrees(t *testing.T) {
	for _, tc := range []struct {
		name      string
		kind      uint8 // see newInput
		body      string
		wantExact bool // the fast path may take it
		wantFlat  bool // decodeFlat takes it
	}{
		{"exact keys", 8, `{"appId":"a","appName":"n","backendEnvironmentName":"e"}`, true, true},
		{"GetBackend", 9, `{"backendEnvironmentName":"dev"}`, true, true},
		{"GetBackend, spaced", 9, "{ \"backendEnvironmentName\" :\t\"dev\"\n}", true, true},
		{"empty object", 9, `{}`, true, true},
		{"empty string", 9, `{"backendEnvironmentName":""}`, true, true},
		{"non-ASCII string", 8, `{"appName":"ä ✓ 𝄞"}`, true, true},
		{"escaped value", 9, `{"backendEnvironmentName":"d\u0065v"}`, true, false},
		{"escaped quote", 9, `{"backendEnvironmentName":"a\"b"}`, true, false},
		{"invalid UTF-8", 9, "{\"backendEnvironmentName\":\"a\xffb\"}", true, false},
		{"control character", 9, "{\"backendEnvironmentName\":\"a\tb\"}", true, false},
		{"a path member is not a body member", 9, `{"appId":"a"}`, true, false},
		{"not a string member", 8, `{"appId":"a","resourceConfig":{}}`, true, false},
		{"a number for a string", 9, `{"backendEnvironmentName":5}`, true, false},
		{"repeated string", 9, `{"backendEnvironmentName":"a","backendEnvironmentName":"b"}`, false, false},
		{"repeated null", 9, `{"backendEnvironmentName":"a","backendEnvironmentName":null}`, false, false},
		{"trailing comma", 9, `{"backendEnvironmentName":"a",}`, false, false},
		{"nul", 9, `{"backendEnvironmentName":nul}`, true, false},
		{"null then more", 9, `{"backendEnvironmentName":nullx}`, true, false},
		{"unknown keys are ignored", 8, `{"appId":"a","zzz":{"appId":1},"list":[{"APPID":2}]}`, true, false},
		{"folded key", 8, `{"APPID":"x","appId":"a"}`, false, false},
		{"folded key alone", 8, `{"appid":"x"}`, false, false},
		{"kelvin sign folds to k", 4, `{"bac\u212Aend":"x"}`, false, false},
		{"folded nested key", 0, `{"resourceConfig":{"USERPOOLCONFIGS":{"userPoolName":"p"}}}`, false, false},
		{"folded key in a list element", 2, `{"resourceConfig":{"additionalAuthTypes":[{"MODE":"API_KEY"}]}}`, false, false},
		{"repeated key", 0, `{"resourceConfig":{"service":"COGNITO"},"resourceConfig":{"authResources":"USER_POOL_ONLY"}}`, false, false},
		{"escaped key", 8, `{"app\u0049d":"a"}`, false, false},
		{"two type errors, not in key order", 8, `{"appName":1,"appId":2}`, true, false},
		{"trailing data", 8, `{"appId":"a"} {}`, false, false},
		{"truncated", 8, `{"appId":"a"`, false, false},
		{"type mismatch below", 0, `{"resourceConfig":["x"]}`, true, false},
		{"null member", 8, `{"appId":null,"appName":"n"}`, true, true},
		{"numbers keep their text", 5, `{"maxResults":25e0}`, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			m := membersOf(reflect.TypeOf(newInput(tc.kind)))
			if got := exactKeys(body, m); got != tc.wantExact {
				t.Errorf("exactKeys(%s) = %v, want %v", tc.body, got, tc.wantExact)
			}
			in := newInput(tc.kind)
			if got := decodeFlat(bytes.TrimSpace(body), in, m); got != tc.wantFlat {
				t.Errorf("decodeFlat(%s) = %v, want %v", tc.body, got, tc.wantFlat)
			} else if !got && !reflect.DeepEqual(in, newInput(tc.kind)) {
				t.Errorf("decodeFlat(%s) refused the body but changed the input", tc.body)
			}
			checkSamePath(t, tc.kind, body)
		})
	}
}

// FuzzDecodeFastPath checks that the one-pass decode agrees with the
// three-step one on every body: same value or same error.
func FuzzDecodeFastPath(f *testing.F) {
	for _, s := range decodeSeeds {
		for i := range uint8(10) {
			f.Add(i, []byte(s))
		}
	}
	f.Add(uint8(8), []byte(`{"APPID":"x","appId":"a"}`))
	f.Add(uint8(0), []byte(`{"resourceConfig":{"service":"COGNITO"},"resourceConfig":{"authResources":"USER_POOL_ONLY"}}`))
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		checkSamePath(t, kind, body)
	})
}

func TestMemo_EncodesEachAnswerOnce(t *testing.T) {
	type answer struct {
		Name *string `json:"name,omitzero"`
	}
	var m memo[answer]
	name := "a"
	shared := &answer{Name: &name}
	first, err := m.encode(shared)
	if err != nil || string(first) != `{"name":"a"}` {
		t.Fatalf("encode = %s, %v", first, err)
	}
	again, _ := m.encode(shared)
	if &again[0] != &first[0] {
		t.Error("the same answer was encoded twice")
	}
	other := "b"
	if got, _ := m.encode(&answer{Name: &other}); string(got) != `{"name":"b"}` {
		t.Errorf("another answer encoded as %s", got)
	}
	for range 2 * memoSize {
		m.encode(&answer{})
	}
	if len(m.entries) > memoSize {
		t.Errorf("the memo holds %d answers, more than %d", len(m.entries), memoSize)
	}
}

func TestRequestIDs_UniqueUUIDs(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	g, other := newRequestIDs(), newRequestIDs()
	seen := map[string]bool{}
	for range 1000 {
		for _, id := range []string{g.next(), other.next()} {
			if !re.MatchString(id) {
				t.Fatalf("request id %q is not a version-4 UUID", id)
			}
			if seen[id] {
				t.Fatalf("request id %q handed out twice", id)
			}
			seen[id] = true
		}
	}
}

// custom decodes itself: its keys are its own business.
type custom struct{ Raw string }

func (c *custom) UnmarshalJSON(b []byte) error { c.Raw = string(b); return nil }

func TestExactKeys_SelfDecodingMembersAreNotChecked(t *testing.T) {
	type input struct {
		Name *string `json:"name"`
		C    *custom `json:"c"`
	}
	m := membersOf(reflect.TypeFor[input]())
	if !exactKeys([]byte(`{"name":"n","c":{"NAME":1,"x":2}}`), m) {
		t.Error("keys inside a member that decodes itself were checked against the outer structure")
	}
	if exactKeys([]byte(`{"NAME":"n"}`), m) {
		t.Error("a folded key of the outer structure passed")
	}
}
