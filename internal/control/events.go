package control

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/httpapi"
)

// Event types of the stream.
const (
	eventRequest = "request" // an API request was answered (data: Entry)
	eventJob     = "job"     // a job was created or finished (data: JobEvent)
)

// subscriberBuffer is how many events a subscriber may fall behind before
// events are dropped for it (and it is told how many).
const subscriberBuffer = 4096

// keepAlive is how often an idle stream gets a comment, so that proxies and
// clients see it alive.
const keepAlive = 15 * time.Second

// coalesce is how long a stream waits after writing before it writes again,
// so that a busy server wakes each stream's writer at most once per interval
// instead of once per event; events reach clients at most this late.
const coalesce = 5 * time.Millisecond

// event is one event waiting to be written. It is encoded by the stream's
// writer, not on the request that published it.
type event struct {
	id   uint64
	kind string
	req  httpapi.Exchange // kind eventRequest
	job  JobEvent         // kind eventJob
}

// hub fans events out to the subscribers of GET /_amplifylite/events.
// Publishing never blocks and never waits for a writer: it queues the event
// for each subscriber (dropping it for a subscriber whose queue is full) and
// wakes the subscriber's writer only if it is waiting.
type hub struct {
	mu    sync.RWMutex
	subs  map[*subscriber]struct{}
	count atomic.Int32
	seq   atomic.Uint64
}

type subscriber struct {
	kinds []string      // nil: every kind
	wake  chan struct{} // holds a value when events are queued

	mu      sync.Mutex
	queue   []event
	dropped int
}

func newHub() *hub { return &hub{subs: map[*subscriber]struct{}{}} }

// subscribed reports cheaply whether anyone listens.
func (h *hub) subscribed() bool { return h.count.Load() > 0 }

func (h *hub) subscribe(kinds []string) *subscriber {
	s := &subscriber{kinds: kinds, wake: make(chan struct{}, 1)}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.count.Store(int32(len(h.subs)))
	h.mu.Unlock()
	return s
}

func (h *hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	delete(h.subs, s)
	h.count.Store(int32(len(h.subs)))
	h.mu.Unlock()
}

// publish queues ev for every subscriber of its kind.
func (h *hub) publish(ev event) {
	ev.id = h.seq.Add(1)
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.subs {
		if s.kinds != nil && !slices.Contains(s.kinds, ev.kind) {
			continue
		}
		s.mu.Lock()
		if len(s.queue) < subscriberBuffer {
			s.queue = append(s.queue, ev)
		} else {
			s.dropped++
		}
		s.mu.Unlock()
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// take returns the queued events and how many were dropped since the last
// take, and empties the queue; buf is reused.
func (s *subscriber) take(buf []event) ([]event, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append(buf[:0], s.queue...)
	clear(s.queue)
	s.queue = s.queue[:0]
	dropped := s.dropped
	s.dropped = 0
	return out, dropped
}

// JobEvent is a job's change of status, as the "job" events show it.
type JobEvent struct {
	Time         time.Time `json:"time"`
	Account      string    `json:"account"`
	Region       string    `json:"region"`
	AppID        string    `json:"appId"`
	Environment  string    `json:"environment"`  // the environment it is returned under
	Environments []string  `json:"environments"` // every environment it is listed under
	JobID        string    `json:"jobId"`
	Operation    string    `json:"operation"`
	OldStatus    string    `json:"oldStatus"` // "" when the job was created
	NewStatus    string    `json:"newStatus"`
	Status       string    `json:"status"` // = newStatus
	Error        string    `json:"error,omitempty"`
}

// OnJob is the domain's hook for job transitions (backend.Config.OnJob): it
// counts them in the metrics and streams them to event subscribers.
func (p *Plane) OnJob(e backend.JobEvent) {
	p.metrics.job(&e)
	if !p.events.subscribed() {
		return
	}
	env := ""
	if len(e.Envs) > 0 {
		env = e.Envs[0]
	}
	p.events.publish(event{kind: eventJob, job: JobEvent{
		Time: e.Updated.UTC(), Account: e.Partition.Account, Region: e.Partition.Region, AppID: e.AppID,
		Environment: env, Environments: e.Envs, JobID: e.JobID, Operation: e.Operation,
		OldStatus: e.OldStatus, NewStatus: e.NewStatus, Status: e.NewStatus, Error: e.Error,
	}})
}

// streamEvents answers GET /_amplifylite/events[?types=request,job] with a
// Server-Sent Events stream: "event: request" (data: a journal entry) and
// "event: job" (data: a JobEvent), each with an increasing id. A client that
// falls more than 4096 events behind gets "event: dropped" (data:
// {"count": n}) in place of what it missed. Events are written in batches,
// at most one every 5 ms. The stream ends when the client leaves or the
// server shuts down.
func (p *Plane) streamEvents(w http.ResponseWriter, r *http.Request) error {
	var kinds []string
	if v := r.URL.Query().Get("types"); v != "" {
		for _, k := range strings.Split(v, ",") {
			switch k = strings.TrimSpace(k); k {
			case eventRequest, eventJob:
				kinds = append(kinds, k)
			default:
				return badRequest("types: unknown event type '%s' (request, job)", k)
			}
		}
	}
	rc := http.NewResponseController(w)
	// The server's write timeout would cut the stream: it has none.
	if err := rc.SetWriteDeadline(time.Time{}); err != nil && err != http.ErrNotSupported {
		return err
	}
	sub := p.events.subscribe(kinds)
	defer p.events.unsubscribe(sub)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// The first bytes tell the client it is subscribed: events from here on
	// reach it.
	if _, err := fmt.Fprint(w, "retry: 1000\n: subscribed\n\n"); err != nil {
		return nil
	}
	if rc.Flush() != nil {
		return nil
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	var buf bytes.Buffer
	var evs []event
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-p.done:
			return nil
		case <-tick.C:
			buf.WriteString(": keep-alive\n\n")
		case <-sub.wake:
			var dropped int
			evs, dropped = sub.take(evs)
			if dropped > 0 {
				fmt.Fprintf(&buf, "event: dropped\ndata: {\"count\":%d}\n\n", dropped)
			}
			for i := range evs {
				writeEvent(&buf, &evs[i])
			}
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return nil // the client is gone
		}
		buf.Reset()
		if rc.Flush() != nil {
			return nil
		}
		select {
		case <-time.After(coalesce):
		case <-r.Context().Done():
			return nil
		case <-p.done:
			return nil
		}
	}
}

// writeEvent appends ev in the text/event-stream format.
func writeEvent(buf *bytes.Buffer, ev *event) {
	var v any = entryOf(&ev.req)
	if ev.kind == eventJob {
		v = &ev.job
	}
	data, err := json.Marshal(v)
	if err != nil {
		return // the event types always encode
	}
	fmt.Fprintf(buf, "id: %d\nevent: %s\ndata: %s\n\n", ev.id, ev.kind, data)
}
