package control

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// Event types of the stream.
const (
	eventRequest = "request" // an API request was answered (data: Entry)
	eventJob     = "job"     // a job was created or finished (data: JobEvent)
)

// subscriberBuffer is how many events a slow subscriber may fall behind
// before events are dropped for it (and it is told how many).
const subscriberBuffer = 1024

// keepAlive is how often an idle stream gets a comment, so that proxies and
// clients see it alive.
const keepAlive = 15 * time.Second

// event is one server-sent event, encoded once for every subscriber.
type event struct {
	id   uint64
	kind string
	data []byte
}

// hub fans events out to the subscribers of GET /_amplifylite/events.
// Publishing never blocks: a subscriber whose buffer is full misses events.
type hub struct {
	mu    sync.Mutex
	subs  map[*subscriber]struct{}
	count atomic.Int32
	seq   atomic.Uint64
}

type subscriber struct {
	ch      chan event
	kinds   []string // nil: every kind
	dropped atomic.Int64
}

func newHub() *hub { return &hub{subs: map[*subscriber]struct{}{}} }

// subscribed reports cheaply whether anyone listens.
func (h *hub) subscribed() bool { return h.count.Load() > 0 }

func (h *hub) subscribe(kinds []string) *subscriber {
	s := &subscriber{ch: make(chan event, subscriberBuffer), kinds: kinds}
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

// publish sends v, JSON-encoded, to every subscriber of the kind.
func (h *hub) publish(kind string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return // the event types always encode
	}
	ev := event{id: h.seq.Add(1), kind: kind, data: data}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if s.kinds != nil && !slices.Contains(s.kinds, kind) {
			continue
		}
		select {
		case s.ch <- ev:
		default:
			s.dropped.Add(1)
		}
	}
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
	p.events.publish(eventJob, JobEvent{
		Time: e.Updated.UTC(), Account: e.Partition.Account, Region: e.Partition.Region, AppID: e.AppID,
		Environment: env, Environments: e.Envs, JobID: e.JobID, Operation: e.Operation,
		OldStatus: e.OldStatus, NewStatus: e.NewStatus, Status: e.NewStatus, Error: e.Error,
	})
}

// streamEvents answers GET /_amplifylite/events[?types=request,job] with a
// Server-Sent Events stream: "event: request" (data: a journal entry) and
// "event: job" (data: a JobEvent), each with an increasing id. A client that
// falls more than 1024 events behind gets "event: dropped" (data:
// {"count": n}) in place of what it missed. The stream ends when the client
// leaves or the server shuts down.
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
	for {
		var err error
		select {
		case <-r.Context().Done():
			return nil
		case <-p.done:
			return nil
		case <-tick.C:
			_, err = fmt.Fprint(w, ": keep-alive\n\n")
		case ev := <-sub.ch:
			if n := sub.dropped.Swap(0); n > 0 {
				_, err = fmt.Fprintf(w, "event: dropped\ndata: {\"count\":%d}\n\n", n)
			}
			if err == nil {
				_, err = fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", ev.id, ev.kind, ev.data)
			}
		}
		if err == nil {
			err = rc.Flush()
		}
		if err != nil {
			return nil // the client is gone
		}
	}
}
