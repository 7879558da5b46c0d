package control

import (
	"bytes"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/httpapi"
)

// BenchmarkHooks measures the control plane's own work per API request: the
// fault check (no rules, or one for another operation) and Observe (journal
// and metrics; with an event subscriber, the event too).
func BenchmarkHooks(b *testing.B) {
	x := httpapi.Exchange{Start: time.Now(), Duration: 40 * time.Microsecond, RequestID: "0f6a8e1c-3b8e-4c53-9d4e-0a2b5b7c9d11",
		Operation: "GetBackend", Method: "POST", Path: "/backend/bench/details", Status: 200,
		Account: "000000000000", Region: "us-east-1", Signature: httpapi.SignatureNone}
	c := httpapi.Call{Operation: "GetBackend", Partition: partition}
	b.Run("inject/no-rules", func(b *testing.B) {
		p := New(Config{})
		b.ReportAllocs()
		for b.Loop() {
			p.Inject(c)
		}
	})
	b.Run("inject/1-rule-other-operation", func(b *testing.B) {
		p := New(Config{})
		if _, err := p.faults.add([]Rule{{Operation: "CreateToken", LatencyMs: 1}}, time.Now()); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			p.Inject(c)
		}
	})
	b.Run("observe", func(b *testing.B) {
		p := New(Config{})
		b.ReportAllocs()
		for b.Loop() {
			p.Observe(x)
		}
	})
	b.Run("observe/subscriber", func(b *testing.B) {
		p := New(Config{})
		sub := p.events.subscribe(nil)
		done := make(chan struct{})
		go func() { // a writer that keeps up
			var evs []event
			for {
				select {
				case <-sub.wake:
					evs, _ = sub.take(evs)
				case <-done:
					return
				}
			}
		}()
		defer close(done)
		b.ReportAllocs()
		for b.Loop() {
			p.Observe(x)
		}
	})
}

// BenchmarkWriteEvent measures a stream writer's work per event, off the
// request's path: encoding a request event.
func BenchmarkWriteEvent(b *testing.B) {
	ev := event{id: 12345, kind: eventRequest, req: httpapi.Exchange{Start: time.Now(), Duration: 40 * time.Microsecond,
		RequestID: "0f6a8e1c-3b8e-4c53-9d4e-0a2b5b7c9d11", Operation: "GetBackend", Method: "POST", Path: "/backend/bench/details",
		Status: 200, Account: "000000000000", Region: "us-east-1", Signature: httpapi.SignatureNone}}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		writeEvent(&buf, &ev)
	}
}
