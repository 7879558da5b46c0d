package record

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// decodeJob decodes a job's JSON document, as EncodeJob writes it, into j
// (which must be zero). Listings decode dozens per page, so the documents
// EncodeJob writes are read by a direct scan; anything else it meets (an
// escape in a string, an unknown or repeated member, a null) is left to
// encoding/json, so that the result is always what json.Unmarshal gives.
func decodeJob(data []byte, j *backend.Job) error {
	if !scanJob(data, j) {
		*j = backend.Job{}
		return json.Unmarshal(data, j)
	}
	return nil
}

// Members of a job document, as bits of the set scanJob has seen.
const (
	jID = 1 << iota
	jAppID
	jEnvs
	jKind
	jOperation
	jStatus
	jError
	jCreated
	jUpdated
	jDue
	jV
)

// scanJob fills j from data and reports whether it understood all of it.
func scanJob(data []byte, j *backend.Job) bool {
	if !utf8.Valid(data) {
		return false
	}
	s := jobScanner{b: data}
	if !s.byte('{') {
		return false
	}
	seen := 0
	if s.byte('}') {
		return s.end()
	}
	for {
		key, ok := s.str()
		if !ok || !s.byte(':') {
			return false
		}
		var bit int
		switch string(key) {
		case "id":
			bit = jID
			j.ID, ok = s.strVal()
		case "appId":
			bit = jAppID
			j.AppID, ok = s.strVal()
		case "kind":
			bit = jKind
			j.Kind, ok = s.strVal()
		case "operation":
			bit = jOperation
			j.Operation, ok = s.strVal()
		case "status":
			bit = jStatus
			j.Status, ok = s.strVal()
		case "error":
			bit = jError
			j.Error, ok = s.strVal()
		case "envs":
			bit = jEnvs
			j.Envs, ok = s.strList()
		case "created":
			bit = jCreated
			ok = s.time(&j.Created)
		case "updated":
			bit = jUpdated
			ok = s.time(&j.Updated)
		case "due":
			bit = jDue
			ok = s.time(&j.Due)
		case "v":
			bit = jV
			j.V, ok = s.int()
		default:
			return false
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		if s.byte(',') {
			continue
		}
		return s.byte('}') && s.end()
	}
}

// jobScanner reads the compact JSON encoding/json writes: no white space.
type jobScanner struct {
	b []byte
	i int
}

func (s *jobScanner) byte(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *jobScanner) end() bool { return s.i == len(s.b) }

// str reads a string without escapes or control characters.
func (s *jobScanner) str() ([]byte, bool) {
	if !s.byte('"') {
		return nil, false
	}
	start := s.i
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.b[start : s.i-1], true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

func (s *jobScanner) strVal() (string, bool) {
	b, ok := s.str()
	return string(b), ok
}

// strList reads a list of strings (null is left to encoding/json).
func (s *jobScanner) strList() ([]string, bool) {
	if !s.byte('[') {
		return nil, false
	}
	out := []string{}
	if s.byte(']') {
		return out, true
	}
	for {
		v, ok := s.strVal()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if s.byte(',') {
			continue
		}
		return out, s.byte(']')
	}
}

// time hands a string member, quotes included, to a time's UnmarshalJSON,
// as encoding/json does.
func (s *jobScanner) time(t *time.Time) bool {
	start := s.i
	if _, ok := s.str(); !ok {
		return false
	}
	return t.UnmarshalJSON(s.b[start:s.i]) == nil
}

// int reads an integer written without fraction or exponent.
func (s *jobScanner) int() (int, bool) {
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	lit := s.b[start:s.i]
	if len(lit) == 0 || bytes.HasPrefix(lit, []byte("-0")) && len(lit) > 2 || lit[0] == '0' && len(lit) > 1 {
		return 0, false
	}
	n, err := strconv.Atoi(string(lit))
	return n, err == nil
}
