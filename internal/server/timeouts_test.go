package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// The limits are set small here; nothing asserts how fast the server is, only
// that a connection ends, or a request is answered, at all.

func startWithLimits(t *testing.T, set func(*Options)) (*Server, string) {
	t.Helper()
	opts := DefaultOptions()
	opts.Listen, opts.DataDir, opts.JobDuration = "127.0.0.1:0", sqlite.Memory, 0
	set(&opts)
	s, err := Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Close(ctx)
	})
	return s, strings.TrimPrefix(s.URL, "http://")
}

// dial opens a raw connection; its deadline only keeps a failing test from
// hanging.
func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second))
	return c, bufio.NewReader(c)
}

const healthRequest = "GET /_amplifylite/health HTTP/1.1\r\nHost: x\r\n\r\n"

func roundTrip(t *testing.T, c net.Conn, br *bufio.Reader, req string) *http.Response {
	t.Helper()
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	return resp
}

// closedByServer waits until the server closes c (EOF or reset) and fails
// when c's deadline passes first.
func closedByServer(t *testing.T, br *bufio.Reader) {
	t.Helper()
	n, err := br.Read(make([]byte, 1))
	switch {
	case n > 0:
		t.Error("the server sent more")
	case errors.Is(err, os.ErrDeadlineExceeded):
		t.Error("the server left the connection open")
	}
}

// newClient is a client with its own connections and an overall timeout.
func newClient() *http.Client {
	return &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
}

func health(t *testing.T, c *http.Client, url string) {
	t.Helper()
	resp, err := c.Get(url + "/_amplifylite/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("health: %d", resp.StatusCode)
	}
}

func TestTimeouts_IdleConnectionIsClosed(t *testing.T) {
	_, addr := startWithLimits(t, func(o *Options) { o.IdleTimeout = 100 * time.Millisecond })
	c, br := dial(t, addr)
	if resp := roundTrip(t, c, br, healthRequest); resp.StatusCode != 200 || resp.Close {
		t.Fatalf("got %d (close %v)", resp.StatusCode, resp.Close)
	}
	closedByServer(t, br)
}

func TestTimeouts_SlowBody(t *testing.T) {
	const create = `{"appId":"a1","appName":"n","backendEnvironmentName":"dev"}`
	headers := fmt.Sprintf("POST /backend HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", len(create))

	t.Run("cut when slower than --read-timeout", func(t *testing.T) {
		_, addr := startWithLimits(t, func(o *Options) { o.ReadTimeout = 200 * time.Millisecond })
		c, br := dial(t, addr)
		io.WriteString(c, headers+create[:5])
		stop := make(chan struct{})
		defer close(stop)
		go func() { // one byte every 50 ms, until the answer or the end of the body
			for _, b := range []byte(create[5:]) {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
			}
		}()
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestTimeout || resp.Header.Get("x-amzn-ErrorType") != "RequestTimeoutException" || !resp.Close {
			t.Errorf("got %d (close %v) %s", resp.StatusCode, resp.Close, body)
		}
		closedByServer(t, br)
	})
	t.Run("answered when within --read-timeout", func(t *testing.T) {
		// 10 pieces 20 ms apart against 5 s: the margin is for slow machines.
		_, addr := startWithLimits(t, func(o *Options) { o.ReadTimeout = 5 * time.Second })
		c, br := dial(t, addr)
		io.WriteString(c, headers)
		for piece := range 10 {
			time.Sleep(20 * time.Millisecond)
			io.WriteString(c, create[piece*len(create)/10:(piece+1)*len(create)/10])
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || resp.Close {
			t.Errorf("got %d (close %v)", resp.StatusCode, resp.Close)
		}
	})
}

func TestTimeouts_MaxConnections(t *testing.T) {
	t.Run("idle connections make room", func(t *testing.T) {
		s, addr := startWithLimits(t, func(o *Options) { o.MaxConnections, o.IdleTimeout = 2, time.Hour })
		var idle []*bufio.Reader
		for range 2 {
			c, br := dial(t, addr)
			roundTrip(t, c, br, healthRequest)
			idle = append(idle, br)
		}
		health(t, newClient(), s.URL) // closes the longest-idle connection
		// Which one that is depends on when the server saw each go idle.
		closed := make(chan bool, len(idle))
		for _, br := range idle {
			go func() {
				_, err := br.Read(make([]byte, 1))
				closed <- err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
			}()
		}
		if !<-closed && !<-closed {
			t.Error("no idle connection was closed")
		}
	})
	t.Run("at the cap a new connection waits for a slot", func(t *testing.T) {
		s, addr := startWithLimits(t, func(o *Options) { o.MaxConnections, o.ReadHeaderTimeout = 2, time.Hour })
		silent, _ := dial(t, addr) // connected, never sends a request
		dial(t, addr)
		done := make(chan struct{})
		go func() {
			defer close(done)
			health(t, newClient(), s.URL)
		}()
		select {
		case <-done:
			t.Fatal("answered while both slots were taken")
		case <-time.After(200 * time.Millisecond):
		}
		silent.Close()
		<-done
	})
	t.Run("stuck connections time out and give their slots back", func(t *testing.T) {
		s, addr := startWithLimits(t, func(o *Options) {
			o.MaxConnections, o.ReadHeaderTimeout, o.ReadTimeout = 2, 100*time.Millisecond, 100*time.Millisecond
		})
		_, silent := dial(t, addr) // never sends a request
		slow, slowR := dial(t, addr)
		io.WriteString(slow, "POST /backend HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{") // never sends the rest
		health(t, newClient(), s.URL)
		closedByServer(t, silent)
		resp, err := http.ReadResponse(slowR, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusRequestTimeout {
			t.Errorf("slow body: got %d", resp.StatusCode)
		}
		io.Copy(io.Discard, resp.Body)
		closedByServer(t, slowR)
	})
}

func TestTimeouts_HeadersOverMaxHeaderBytes(t *testing.T) {
	s, _ := startWithLimits(t, func(o *Options) { o.MaxHeaderBytes = 1 << 10 })
	for _, tc := range []struct {
		pad  int
		want int
	}{{512, 200}, {16 << 10, http.StatusRequestHeaderFieldsTooLarge}} { // net/http allows 4 KiB over the limit
		req, _ := http.NewRequest("GET", s.URL+"/_amplifylite/health", nil)
		req.Header.Set("X-Pad", strings.Repeat("a", tc.pad))
		resp, err := newClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%d bytes of header: got %d, want %d", tc.pad, resp.StatusCode, tc.want)
		}
	}
}
