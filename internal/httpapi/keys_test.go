package httpapi

import (
	"encoding/json"
	"reflect"
	"regexp"
	"testing"
)

// decodeSlow is decodeBody without its fast path: what every body decoded to
// before the fast path existed.
func decodeSlow(body []byte, in any) error { return decodeBodyVia(body, in, false) }

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
	}{
		{"exact keys", 8, `{"appId":"a","appName":"n","backendEnvironmentName":"e"}`, true},
		{"unknown keys are ignored", 8, `{"appId":"a","zzz":{"appId":1},"list":[{"APPID":2}]}`, true},
		{"folded key", 8, `{"APPID":"x","appId":"a"}`, false},
		{"folded key alone", 8, `{"appid":"x"}`, false},
		{"kelvin sign folds to k", 4, `{"bac\u212Aend":"x"}`, false},
		{"folded nested key", 0, `{"resourceConfig":{"USERPOOLCONFIGS":{"userPoolName":"p"}}}`, false},
		{"folded key in a list element", 2, `{"resourceConfig":{"additionalAuthTypes":[{"MODE":"API_KEY"}]}}`, false},
		{"repeated key", 0, `{"resourceConfig":{"service":"COGNITO"},"resourceConfig":{"authResources":"USER_POOL_ONLY"}}`, false},
		{"escaped key", 8, `{"app\u0049d":"a"}`, false},
		{"two type errors, not in key order", 8, `{"appName":1,"appId":2}`, true},
		{"trailing data", 8, `{"appId":"a"} {}`, false},
		{"truncated", 8, `{"appId":"a"`, false},
		{"type mismatch below", 0, `{"resourceConfig":["x"]}`, true},
		{"null member", 8, `{"appId":null,"appName":"n"}`, true},
		{"numbers keep their text", 5, `{"maxResults":25e0}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			if got := exactKeys(body, membersOf(reflect.TypeOf(newInput(tc.kind)))); got != tc.wantExact {
				t.Errorf("exactKeys(%s) = %v, want %v", tc.body, got, tc.wantExact)
			}
			checkSamePath(t, tc.kind, body)
		})
	}
}

// FuzzDecodeFastPath checks that the one-pass decode agrees with the
// three-step one on every body: same value or same error.
func FuzzDecodeFastPath(f *testing.F) {
	for _, s := range decodeSeeds {
		for i := range uint8(9) {
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
