package record

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// checkDecodeJob fails t unless decodeJob and json.Unmarshal agree on data.
func checkDecodeJob(t *testing.T, data []byte) {
	t.Helper()
	var fast, want backend.Job
	errFast, errWant := decodeJob(data, &fast), json.Unmarshal(data, &want)
	if (errFast == nil) != (errWant == nil) || errFast != nil && errFast.Error() != errWant.Error() {
		t.Fatalf("%q: error %v, json.Unmarshal's %v", data, errFast, errWant)
	}
	if errFast == nil && !reflect.DeepEqual(fast, want) {
		t.Fatalf("%q: decoded\n %#v\nwant\n %#v", data, fast, want)
	}
}

func jobDocs(t testing.TB) [][]byte {
	at := time.Date(2026, 11, 30, 19, 4, 5, 123456789, time.UTC)
	var docs [][]byte
	for _, j := range []backend.Job{
		{ID: "0193-a", AppID: "app", Envs: []string{"dev"}, Kind: "CreateBackendAPI", Operation: "CreateBackendAPI", Status: "RUNNING",
			Created: at, Updated: at, Due: at.Add(time.Second), Payload: json.RawMessage(`{"x":1}`)},
		{ID: "j", AppID: "a", Envs: []string{"dev", "prod"}, Kind: "k", Operation: "o", Status: "FAILED", Error: `quote " and <tag> and \ and é`,
			Created: at.In(time.FixedZone("x", 3600)), V: 2},
		{ID: "j", Envs: []string{}},
		{},
	} {
		r, err := EncodeJob(&j)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, r.Data)
	}
	return docs
}

func TestDecodeJob_AgreesWithEncodingJSON(t *testing.T) {
	docs := jobDocs(t)
	for _, d := range docs[:1] {
		var j backend.Job
		if !scanJob(d, &j) {
			t.Errorf("the scan does not read EncodeJob's %s", d)
		}
	}
	for _, d := range append(docs,
		[]byte(`{"id":"a","id":"b"}`), []byte(`{"envs":null}`), []byte(`{"v":1.0}`), []byte(`{"v":-0}`), []byte(`{"v":01}`),
		[]byte(`{"v":99999999999999999999}`), []byte(`{"created":"yesterday"}`), []byte(`{"extra":1,"id":"x"}`),
		[]byte(`{"id":"a"} `), []byte(`{"id":"a\u0041"}`), []byte("{\"id\":\"\xff\"}"), []byte(`{}`), []byte(`{"id":"a",}`), []byte(``),
	) {
		checkDecodeJob(t, d)
	}
}

// FuzzDecodeJob checks that the direct scan of job documents decodes what
// encoding/json does, or leaves the document to it.
func FuzzDecodeJob(f *testing.F) {
	for _, d := range jobDocs(f) {
		f.Add(d)
	}
	f.Add([]byte(`{"id":"a","id":"b"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecodeJob(t, data)
	})
}
