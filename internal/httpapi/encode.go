package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
)

// encodeJSON encodes v as a response body: JSON without HTML escaping and
// without a trailing newline. The result is the caller's.
func encodeJSON(v any) ([]byte, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.Clone(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// memoSize bounds a memo; a full memo starts over.
const memoSize = 64

// memo keeps the encodings of answers a domain method hands out more than
// once (the same *O to many callers, never modified: GetBackend's read
// cache). It keys on the pointer and holds it, so the address cannot be
// reused for another value while its entry lives.
type memo[O any] struct {
	mu      sync.Mutex
	entries map[*O][]byte
}

// encode returns out's encoding, from the memo when out was encoded before.
func (m *memo[O]) encode(out *O) ([]byte, error) {
	m.mu.Lock()
	b, ok := m.entries[out]
	m.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := encodeJSON(out)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	if m.entries == nil || len(m.entries) >= memoSize {
		m.entries = make(map[*O][]byte, memoSize)
	}
	m.entries[out] = b
	m.mu.Unlock()
	return b, nil
}

// errEncoding is the body answered when a response cannot be encoded.
const errEncoding = `{"__type":"InternalServiceException","message":"response encoding failed"}`

// writeBody writes an encoded JSON response, with its Content-Length: the
// answer is sent in one piece, not chunked.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = contentLength(len(body))
	w.WriteHeader(status)
	w.Write(body)
}

// contentLengths keeps Content-Length header values for reuse: a slot per
// length modulo its size, holding the last length seen there. The values
// are shared: net/http only reads header values, and a slice whose len is
// its cap is copied by an append. Few slots, so that the garbage collector
// has little to scan: an API answers few distinct lengths at a time.
var contentLengths [256]atomic.Pointer[lengthValue]

type lengthValue struct {
	n int
	v []string
}

// contentLength returns the Content-Length header value of n bytes.
func contentLength(n int) []string {
	slot := &contentLengths[uint(n)%uint(len(contentLengths))]
	if lv := slot.Load(); lv != nil && lv.n == n {
		return lv.v
	}
	lv := &lengthValue{n, []string{strconv.Itoa(n)}}
	slot.Store(lv)
	return lv.v
}

// writeJSON writes v as the response body, without HTML escaping.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := encodeJSON(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(errEncoding)
		w.Header()["x-amzn-ErrorType"] = []string{"InternalServiceException"}
	}
	writeBody(w, status, b)
}
