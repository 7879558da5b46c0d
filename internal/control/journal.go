package control

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/amplifylite/amplifylite/internal/httpapi"
)

// journal keeps the last API requests in a ring. The ring holds no
// pointers, so that the garbage collector need not mark 1,000 exchanges and
// their strings at every cycle: each record copies its strings into a
// fixed-size text; an exchange whose strings do not fit (a very long path)
// is kept whole in big, by slot.
type journal struct {
	mu    sync.Mutex
	ring  []record
	big   map[int]*httpapi.Exchange
	next  int    // where the next one goes
	total uint64 // requests ever recorded
}

// recordText is the text a record holds: a request id, an operation name, a
// path of ~100 bytes, an account, a region and an error type fit.
const recordText = 256

// record is one Exchange without pointers.
type record struct {
	start    int64 // Unix nanoseconds
	duration time.Duration
	status   int
	lens     [recordStrings]uint16 // of the strings in text, in exchangeStrings order
	text     [recordText]byte
}

const recordStrings = 9

// exchangeStrings lists an Exchange's string fields, in record order.
func exchangeStrings(x *httpapi.Exchange) [recordStrings]*string {
	return [recordStrings]*string{&x.RequestID, &x.Operation, &x.Method, &x.Path, &x.ErrorType, &x.Account, &x.Region, &x.Signature, &x.Fault}
}

func newJournal(size int) *journal { return &journal{ring: make([]record, size)} }

func (j *journal) add(x *httpapi.Exchange) {
	j.mu.Lock()
	r := &j.ring[j.next]
	if !r.store(x) {
		if j.big == nil {
			j.big = map[int]*httpapi.Exchange{}
		}
		big := *x
		j.big[j.next] = &big
	} else if j.big != nil {
		delete(j.big, j.next)
	}
	j.next++
	if j.next == len(j.ring) {
		j.next = 0
	}
	j.total++
	j.mu.Unlock()
}

// store copies x into r, reporting false (r then holds no strings) when its
// strings do not fit.
func (r *record) store(x *httpapi.Exchange) bool {
	r.start, r.duration, r.status = x.Start.UnixNano(), x.Duration, x.Status
	n := 0
	for i, f := range exchangeStrings(x) {
		if len(*f) > len(r.text)-n {
			r.lens = [recordStrings]uint16{}
			return false
		}
		n += copy(r.text[n:], *f)
		r.lens[i] = uint16(len(*f))
	}
	return true
}

// load returns the Exchange r holds (its time in the local zone, without a
// monotonic reading).
func (r *record) load() httpapi.Exchange {
	x := httpapi.Exchange{Start: time.Unix(0, r.start), Duration: r.duration, Status: r.status}
	n := 0
	for i, f := range exchangeStrings(&x) {
		*f = string(r.text[n : n+int(r.lens[i])])
		n += int(r.lens[i])
	}
	return x
}

// last returns up to limit requests, newest first, that keep says to keep,
// and how many were ever recorded.
func (j *journal) last(limit int, keep func(*httpapi.Exchange) bool) ([]httpapi.Exchange, uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := int(min(j.total, uint64(len(j.ring))))
	out := make([]httpapi.Exchange, 0, min(limit, n))
	for i := 1; i <= n && len(out) < limit; i++ {
		slot := (j.next - i + len(j.ring)) % len(j.ring)
		var x httpapi.Exchange
		if big, ok := j.big[slot]; ok {
			x = *big
		} else {
			x = j.ring[slot].load()
		}
		if keep == nil || keep(&x) {
			out = append(out, x)
		}
	}
	return out, j.total
}

// Entry is one request of the journal, as GET /_amplifylite/requests and the
// "request" events show it.
type Entry struct {
	Time       time.Time `json:"time"`
	RequestID  string    `json:"requestId"`
	Operation  string    `json:"operation"` // "-" when no operation matched
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Status     int       `json:"status"`
	ErrorType  string    `json:"errorType"`  // "" on success
	Duration   float64   `json:"duration"`   // milliseconds, to the microsecond
	DurationMs float64   `json:"durationMs"` // the same, for readers who want the unit in the name
	Account    string    `json:"account"`
	Region     string    `json:"region"`
	Signature  string    `json:"signature"`       // none, valid or invalid
	Fault      string    `json:"fault,omitempty"` // the fault rule that delayed or failed it
}

func entryOf(x *httpapi.Exchange) Entry {
	ms := float64(x.Duration.Microseconds()) / 1000
	return Entry{
		Time: x.Start.UTC(), RequestID: x.RequestID, Operation: x.Operation, Method: x.Method, Path: x.Path,
		Status: x.Status, ErrorType: x.ErrorType, Duration: ms, DurationMs: ms, Account: x.Account, Region: x.Region,
		Signature: x.Signature, Fault: x.Fault,
	}
}

// Observe is the HTTP edge's hook for answered API requests
// (httpapi.Options.Observe): it records the request in the journal and the
// metrics, and streams it to event subscribers.
func (p *Plane) Observe(x httpapi.Exchange) {
	p.journal.add(&x)
	p.metrics.request(&x)
	if p.events.subscribed() {
		p.events.publish(event{kind: eventRequest, req: x})
	}
}

// listRequests answers GET /_amplifylite/requests?limit=N[&operation=OP]
// [&status=CODE]: {"requests": [entries, newest first], "total": requests
// ever recorded, "capacity": the journal's size}.
func (p *Plane) listRequests(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit := len(p.journal.ring)
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return badRequest("limit must be a number ≥ 0, got '%s'", v)
		}
		limit = min(n, limit)
	}
	op, status := q.Get("operation"), 0
	if v := q.Get("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return badRequest("status must be an HTTP status code, got '%s'", v)
		}
		status = n
	}
	xs, total := p.journal.last(limit, func(x *httpapi.Exchange) bool {
		return (op == "" || x.Operation == op) && (status == 0 || x.Status == status)
	})
	entries := make([]Entry, len(xs))
	for i := range xs {
		entries[i] = entryOf(&xs[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"requests": entries, "total": total, "capacity": len(p.journal.ring)})
	return nil
}
