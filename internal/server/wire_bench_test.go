package server

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkGetBackendWire measures GetBackend over loopback TCP through the
// whole server as Start builds it (net/http with the default timeouts and
// connection cap, the edge with its control-plane hooks, the read cache)
// against a bare net/http server answering the same bytes with two headers
// (bench/baseline's handler), in this process, in interleaved batches of 400
// requests on 16 keep-alive connections each. Run it with -cpu 1:
// bench/run.sh gives each server one core. cpu-µs/op is the process's CPU
// time (getrusage, GC and the minimal client included) per GetBackend,
// base-cpu-µs/op the same for the bare server, added-cpu-µs/op the
// difference: what amplifylite costs beyond net/http, the syscalls and the
// client being the same for both.
func BenchmarkGetBackendWire(b *testing.B) {
	s, _ := startBench(b)
	for _, req := range benchSeed {
		resp, err := http.Post(s.URL+req[0], "application/json", bytes.NewReader([]byte(req[1])))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("POST %s: %d", req[0], resp.StatusCode)
		}
		if _, err := s.Runner.RunOnce(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	const path, reqBody = "/backend/bench/details", `{"backendEnvironmentName":"dev"}`
	var answer []byte
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		resp, err := http.Post(s.URL+path, "application/json", bytes.NewReader([]byte(reqBody)))
		if err != nil {
			b.Fatal(err)
		}
		answer, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 && !bytes.Contains(answer, []byte(`"IN_PROGRESS"`)) {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("GetBackend: %d %s", resp.StatusCode, answer)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	base := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["x-amzn-RequestId"] = []string{"00000000-0000-4000-8000-000000000000"}
		w.Write(answer)
	})}
	go base.Serve(ln)
	b.Cleanup(func() { base.Close() })

	const conns, perConn = 16, 25
	request := []byte("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: wrk\r\nContent-Type: application/x-amz-json-1.1\r\n" +
		"Content-Length: " + strconv.Itoa(len(reqBody)) + "\r\n\r\n" + reqBody)
	dial := func(addr string) []*wireClient {
		cs := make([]*wireClient, conns)
		for i := range cs {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { c.Close() })
			cs[i] = &wireClient{conn: c, r: bufio.NewReaderSize(c, 16<<10), req: request, want: len(answer)}
		}
		return cs
	}
	amp, bare := dial(s.URL[len("http://"):]), dial(ln.Addr().String())
	load := func(b *testing.B, clients []*wireClient) time.Duration {
		t0 := processCPU()
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Go(func() { c.err = c.run(perConn) })
		}
		wg.Wait()
		cpu := processCPU() - t0
		for _, c := range clients {
			if c.err != nil {
				b.Fatal(c.err)
			}
		}
		return cpu
	}
	per := func(d time.Duration, n int) float64 { return float64(d.Nanoseconds()) / 1e3 / float64(n) }
	// side-by-side is the measurement; the other two load one server each,
	// for profiles and instruction counts (valgrind --tool=callgrind: the
	// difference between two -benchtime counts is the per-request cost).
	b.Run("side-by-side", func(b *testing.B) {
		var ampCPU, bareCPU time.Duration
		n := 0
		for b.Loop() {
			ampCPU += load(b, amp)
			bareCPU += load(b, bare)
			n += conns * perConn
		}
		b.ReportMetric(per(ampCPU, n), "cpu-µs/op")
		b.ReportMetric(per(bareCPU, n), "base-cpu-µs/op")
		b.ReportMetric(per(ampCPU-bareCPU, n), "added-cpu-µs/op")
		b.ReportMetric(0, "ns/op") // a loop runs 400 requests to each server: see the CPU metrics
	})
	for _, v := range []struct {
		name    string
		clients []*wireClient
	}{{"amplifylite", amp}, {"baseline", bare}} {
		b.Run(v.name, func(b *testing.B) {
			var cpu time.Duration
			n := 0
			for b.Loop() {
				cpu += load(b, v.clients)
				n += conns * perConn
			}
			b.ReportMetric(per(cpu, n), "cpu-µs/op")
			b.ReportMetric(0, "ns/op") // a loop runs 400 requests
		})
	}
}

// wireClient sends one request again and again on a keep-alive connection
// and reads each answer (status 200, want body bytes, Content-Length or
// chunked) with as little work as it can.
type wireClient struct {
	conn net.Conn
	r    *bufio.Reader
	req  []byte
	want int
	err  error
}

func (c *wireClient) run(n int) error {
	for range n {
		if _, err := c.conn.Write(c.req); err != nil {
			return err
		}
		if err := c.readAnswer(); err != nil {
			return err
		}
	}
	return nil
}

func (c *wireClient) readAnswer() error {
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
		return fmt.Errorf("status line %q", line)
	}
	length, chunked := -1, false
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
			length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		} else if bytes.Equal(line, []byte("Transfer-Encoding: chunked\r\n")) {
			chunked = true
		}
	}
	got := 0
	switch {
	case chunked:
		for {
			line, err := c.r.ReadSlice('\n')
			if err != nil {
				return err
			}
			size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
			if err != nil {
				return err
			}
			if _, err := c.r.Discard(int(size) + 2); err != nil {
				return err
			}
			if size == 0 {
				break
			}
			got += int(size)
		}
	case length >= 0:
		if _, err := c.r.Discard(length); err != nil {
			return err
		}
		got = length
	default:
		return fmt.Errorf("an answer without Content-Length or chunked encoding")
	}
	if got != c.want {
		return fmt.Errorf("a body of %d bytes, want %d", got, c.want)
	}
	return nil
}

// processCPU is the process's CPU time so far, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
