package control

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
	"github.com/amplifylite/amplifylite/internal/httpapi"
)

// Rule is a fault-injection rule. An authenticated API request that matches
// every filter set (operation, account, region, appId) is, with the rule's
// probability, delayed by LatencyMs and then answered Error instead of
// reaching the domain. With Count, only the next Count injections happen;
// the rule is then removed. The output-only members (remaining, injected,
// created) are ignored on input.
type Rule struct {
	ID          string     `json:"id"`
	Description string     `json:"description,omitempty"` // free text, for the reader
	Service     string     `json:"service,omitempty"`     // "amplifybackend" if given (LocalStack's rules name one)
	Operation   string     `json:"operation,omitempty"`
	Account     string     `json:"account,omitempty"`
	Region      string     `json:"region,omitempty"`
	AppID       string     `json:"appId,omitempty"`
	Probability *float64   `json:"probability"` // default 1
	Count       *int       `json:"count,omitempty"`
	Error       *RuleError `json:"error,omitempty"`
	LatencyMs   int64      `json:"latencyMs,omitempty"`

	Remaining *int      `json:"remaining,omitempty"` // injections left, with Count
	Injected  int64     `json:"injected"`            // injections so far
	Created   time.Time `json:"created"`
}

// RuleError is the AWS error a rule answers: the status, the exception name
// (x-amzn-ErrorType and __type) and the message.
type RuleError struct {
	StatusCode int    `json:"statusCode"`
	Code       string `json:"code"`
	Message    string `json:"message,omitempty"`
}

// maxLatency bounds a rule's delay.
const maxLatency = 10 * time.Minute

// faults holds the rules, in the order they were added.
type faults struct {
	mu     sync.Mutex
	rules  []*Rule
	seq    int
	active atomic.Int32 // len(rules), read without the lock on every request
	random func() float64
}

func newFaults() *faults { return &faults{random: rand.Float64} }

// check validates a rule and fills its defaults.
func (r *Rule) check() error {
	if r.Service != "" && !strings.EqualFold(strings.ReplaceAll(r.Service, "-", ""), "amplifybackend") {
		return badRequest("Fault rule: service '%s' is not this one (amplifybackend)", r.Service)
	}
	if r.Operation != "" {
		op, ok := operationNamed(r.Operation)
		if !ok {
			return badRequest("Fault rule: operation '%s' is not an operation of the API", r.Operation)
		}
		r.Operation = op
	}
	if r.Account != "" && !digits(r.Account, 12) {
		return badRequest("Fault rule: account '%s' is not a 12-digit account id", r.Account)
	}
	if r.Probability == nil {
		one := 1.0
		r.Probability = &one
	}
	if p := *r.Probability; !(p >= 0 && p <= 1) {
		return badRequest("Fault rule: probability must be between 0 and 1, got %v", p)
	}
	if r.Count != nil && *r.Count < 1 {
		return badRequest("Fault rule: count must be at least 1 (leave it out for every match), got %d", *r.Count)
	}
	if r.LatencyMs < 0 || time.Duration(r.LatencyMs)*time.Millisecond > maxLatency {
		return badRequest("Fault rule: latencyMs must be between 0 and %d", maxLatency.Milliseconds())
	}
	if e := r.Error; e != nil {
		if e.StatusCode < 400 || e.StatusCode > 599 {
			return badRequest("Fault rule: error.statusCode must be an error status (400-599), got %d", e.StatusCode)
		}
		if e.Code == "" || len(e.Code) > 256 || bytes.ContainsFunc([]byte(e.Code), func(c rune) bool { return c <= ' ' || c == 0x7f }) {
			return badRequest("Fault rule: error.code must be the exception's name, e.g. TooManyRequestsException")
		}
	}
	if r.Error == nil && r.LatencyMs == 0 {
		return badRequest("Fault rule: give an error, a latencyMs, or both")
	}
	if len(r.ID) > 128 {
		return badRequest("Fault rule: id must be at most 128 bytes")
	}
	return nil
}

// operationNamed returns the API operation a rule names, also in the
// spellings of the CLIs and SDKs: get-backend, get_backend, getBackend.
func operationNamed(name string) (string, bool) {
	fold := func(s string) string { return strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(s)) }
	for _, op := range ab.Operations {
		if fold(op.Name) == fold(name) {
			return op.Name, true
		}
	}
	return "", false
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// add validates and stores rules, all or none, and returns copies of them.
func (f *faults) add(rules []Rule, now time.Time) ([]Rule, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	taken := map[string]bool{}
	for _, r := range f.rules {
		taken[r.ID] = true
	}
	var added []*Rule
	for i := range rules {
		r := rules[i]
		if err := r.check(); err != nil {
			return nil, err
		}
		if r.ID == "" {
			for r.ID == "" || taken[r.ID] {
				f.seq++
				r.ID = "fault-" + strconv.Itoa(f.seq)
			}
		} else if taken[r.ID] {
			return nil, errorf(http.StatusConflict, "ConflictException", "A fault rule with id '%s' exists already", r.ID)
		}
		taken[r.ID] = true
		r.Injected, r.Created, r.Remaining = 0, now.UTC(), nil
		if r.Count != nil {
			n := *r.Count
			r.Remaining = &n
		}
		if r.Error != nil && r.Error.Message == "" {
			e := *r.Error
			e.Message = "Fault injected by amplifylite (rule " + r.ID + ")"
			r.Error = &e
		}
		added = append(added, &r)
	}
	f.rules = append(f.rules, added...)
	f.active.Store(int32(len(f.rules)))
	out := make([]Rule, len(added))
	for i, r := range added {
		out[i] = r.clone()
	}
	return out, nil
}

// clone copies a rule, so that its copy can be encoded without the lock.
func (r *Rule) clone() Rule {
	c := *r
	if r.Remaining != nil {
		n := *r.Remaining
		c.Remaining = &n
	}
	return c
}

func (f *faults) list() []Rule {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Rule, len(f.rules))
	for i, r := range f.rules {
		out[i] = r.clone()
	}
	return out
}

func (f *faults) get(id string) (Rule, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rules {
		if r.ID == id {
			return r.clone(), true
		}
	}
	return Rule{}, false
}

// remove deletes the rule with the id, or every rule when id is "", and
// returns what it deleted.
func (f *faults) remove(id string) []Rule {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Rule
	f.rules = slices.DeleteFunc(f.rules, func(r *Rule) bool {
		if id == "" || r.ID == id {
			out = append(out, r.clone())
			return true
		}
		return false
	})
	f.active.Store(int32(len(f.rules)))
	return out
}

// match returns what the rules do to c: the delays of every matching rule
// that fires, in order, until the first one that answers an error.
// injected is told of each injection.
func (f *faults) match(c httpapi.Call, injected func(op, kind string)) httpapi.Fault {
	var out httpapi.Fault
	if f.active.Load() == 0 {
		return out
	}
	appID, appKnown := "", false
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := 0; i < len(f.rules); i++ {
		r := f.rules[i]
		if r.Operation != "" && r.Operation != c.Operation ||
			r.Account != "" && r.Account != c.Partition.Account ||
			r.Region != "" && r.Region != c.Partition.Region {
			continue
		}
		if r.AppID != "" {
			if !appKnown {
				appID, appKnown = c.AppID(), true
			}
			if r.AppID != appID {
				continue
			}
		}
		if p := *r.Probability; p < 1 && f.random() >= p {
			continue
		}
		r.Injected++
		if r.Remaining != nil {
			if *r.Remaining--; *r.Remaining <= 0 {
				f.rules = slices.Delete(f.rules, i, i+1)
				f.active.Store(int32(len(f.rules)))
				i--
			}
		}
		if out.Rule == "" {
			out.Rule = r.ID
		}
		if r.LatencyMs > 0 {
			out.Delay += time.Duration(r.LatencyMs) * time.Millisecond
			injected(c.Operation, "latency")
		}
		if r.Error != nil {
			out.Rule, out.Status, out.Type, out.Message = r.ID, r.Error.StatusCode, r.Error.Code, r.Error.Message
			injected(c.Operation, "error")
			break
		}
	}
	return out
}

// Inject is the HTTP edge's fault-injection hook (httpapi.Options.Faults).
func (p *Plane) Inject(c httpapi.Call) httpapi.Fault {
	return p.faults.match(c, p.metrics.faultInjected)
}

// listFaults answers GET /_amplifylite/faults: {"faults": [rules]}.
func (p *Plane) listFaults(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"faults": p.faults.list()})
	return nil
}

// addFaults answers POST /_amplifylite/faults. A rule object adds it and
// answers it with its id; an array of rules adds them all (or none) and
// answers {"faults": [rules]}.
func (p *Plane) addFaults(w http.ResponseWriter, r *http.Request) error {
	var raw json.RawMessage
	if err := readJSON(r, &raw); err != nil {
		return err
	}
	raw = bytes.TrimSpace(raw)
	many := len(raw) > 0 && raw[0] == '['
	var rules []Rule
	if many {
		if err := strictUnmarshal(raw, &rules); err != nil {
			return err
		}
	} else {
		var one Rule
		if err := strictUnmarshal(raw, &one); err != nil {
			return err
		}
		rules = []Rule{one}
	}
	added, err := p.faults.add(rules, p.cfg.Now())
	if err != nil {
		return err
	}
	if many {
		writeJSON(w, http.StatusOK, map[string]any{"faults": added})
	} else {
		writeJSON(w, http.StatusOK, added[0])
	}
	return nil
}

// strictUnmarshal decodes a rule or rules, refusing unknown members.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("Fault rule: %v", err)
	}
	return nil
}

// clearFaults answers DELETE /_amplifylite/faults: every rule is removed;
// {"deleted": n, "faults": [the removed rules]}.
func (p *Plane) clearFaults(w http.ResponseWriter, r *http.Request) error {
	gone := p.faults.remove("")
	if gone == nil {
		gone = []Rule{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": len(gone), "faults": gone})
	return nil
}

// getFault answers GET /_amplifylite/faults/{id}.
func (p *Plane) getFault(w http.ResponseWriter, r *http.Request) error {
	rule, ok := p.faults.get(r.PathValue("id"))
	if !ok {
		return errorf(http.StatusNotFound, "NotFoundException", "No fault rule with id '%s'", r.PathValue("id"))
	}
	writeJSON(w, http.StatusOK, rule)
	return nil
}

// deleteFault answers DELETE /_amplifylite/faults/{id} with the removed rule.
func (p *Plane) deleteFault(w http.ResponseWriter, r *http.Request) error {
	gone := p.faults.remove(r.PathValue("id"))
	if len(gone) == 0 {
		return errorf(http.StatusNotFound, "NotFoundException", "No fault rule with id '%s'", r.PathValue("id"))
	}
	writeJSON(w, http.StatusOK, gone[0])
	return nil
}
