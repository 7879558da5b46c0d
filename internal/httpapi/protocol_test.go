package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/httpapi"
	"github.com/amplifylite/amplifylite/internal/server"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// The protocol tests speak HTTP/1.1 over raw TCP, where net/http's client
// would hide what is on the wire: pipelined requests, interim responses,
// whether the server closes the connection.

func startProtocolServer(t *testing.T) string {
	t.Helper()
	opts := server.DefaultOptions()
	opts.Listen, opts.DataDir, opts.JobDuration = "127.0.0.1:0", sqlite.Memory, 0
	s, err := server.Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Close(ctx)
	})
	return strings.TrimPrefix(s.URL, "http://")
}

// rawConn is a client connection that reads responses as they arrive.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	// No test here waits on a healthy server for long; this only keeps a
	// failing one from hanging the suite.
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return &rawConn{t: t, c: c, br: bufio.NewReader(c)}
}

func (rc *rawConn) send(s string) {
	rc.t.Helper()
	if _, err := io.WriteString(rc.c, s); err != nil {
		rc.t.Fatal(err)
	}
}

// response reads the next response, interim ones included, with its body.
func (rc *rawConn) response() (*http.Response, string) {
	rc.t.Helper()
	resp, err := http.ReadResponse(rc.br, nil)
	if err != nil {
		rc.t.Fatalf("read response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		rc.t.Fatalf("read body: %v", err)
	}
	return resp, string(body)
}

// closed reports whether the server closed the connection, rather than
// leaving it open (a read timeout) or sending more.
func (rc *rawConn) closed() error {
	rc.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := rc.br.Read(make([]byte, 512))
	switch {
	case n > 0:
		return fmt.Errorf("more data after the answer: %d bytes", n)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return errors.New("the connection is still open")
	case err == nil:
		return errors.New("no error reading a closed connection")
	}
	return nil // io.EOF or a reset
}

func chunked(body string) string {
	return fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(body), body)
}

func TestProtocol_TransferEncodingClosesTheConnection(t *testing.T) {
	addr := startProtocolServer(t)
	create := func(app string) string { return `{"appId":"` + app + `","appName":"n","backendEnvironmentName":"dev"}` }
	const smuggled = "GET /_amplifylite/health HTTP/1.1\r\nHost: x\r\n\r\n"
	t.Run("Content-Length and Transfer-Encoding", func(t *testing.T) {
		rc := dialRaw(t, addr)
		// Read by Content-Length, the first request's body would end early
		// and its chunked framing would be a request; read as chunked, what
		// follows is a second request. Either way the server must answer
		// the first and close (RFC 9112 §6.1).
		rc.send("POST /backend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\n" +
			"Transfer-Encoding: chunked\r\n\r\n" + chunked(create("a1")) + smuggled)
		resp, body := rc.response()
		if resp.StatusCode != 200 || !resp.Close {
			t.Errorf("got %d (close %v) %s, want 200 and Connection: close", resp.StatusCode, resp.Close, body)
		}
		if err := rc.closed(); err != nil {
			t.Error(err)
		}
	})
	t.Run("Transfer-Encoding alone", func(t *testing.T) {
		// net/http drops Content-Length before the handler runs, so this
		// cannot be told apart from the case above and closes too.
		rc := dialRaw(t, addr)
		rc.send("POST /backend HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(create("a2")) + smuggled)
		resp, body := rc.response()
		if resp.StatusCode != 200 || !resp.Close {
			t.Errorf("got %d (close %v) %s, want 200 and Connection: close", resp.StatusCode, resp.Close, body)
		}
		if err := rc.closed(); err != nil {
			t.Error(err)
		}
	})
	t.Run("Content-Length alone keeps the connection", func(t *testing.T) {
		rc := dialRaw(t, addr)
		body := create("a3")
		rc.send(fmt.Sprintf("POST /backend HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body) + smuggled)
		for i := range 2 {
			if resp, body := rc.response(); resp.StatusCode != 200 || resp.Close {
				t.Errorf("response %d: %d (close %v) %s", i+1, resp.StatusCode, resp.Close, body)
			}
		}
	})
}

func TestProtocol_ExpectContinue(t *testing.T) {
	addr := startProtocolServer(t)
	t.Run("over the limit: 400 at once", func(t *testing.T) {
		rc := dialRaw(t, addr)
		rc.send(fmt.Sprintf("POST /backend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
			"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n", httpapi.MaxBodyBytes+1))
		// The body is never sent: the answer must come first, not 100.
		resp, body := rc.response()
		var got struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		json.Unmarshal([]byte(body), &got)
		if resp.StatusCode != 400 || got.Type != "BadRequestException" || resp.Header.Get("x-amzn-ErrorType") != "BadRequestException" ||
			got.Message != "The request body exceeds the limit of 1048576 bytes" {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
		if err := rc.closed(); err != nil {
			t.Error(err)
		}
	})
	t.Run("within the limit: 100 Continue, then the answer", func(t *testing.T) {
		rc := dialRaw(t, addr)
		create := `{"appId":"e1","appName":"n","backendEnvironmentName":"dev"}`
		rc.send(fmt.Sprintf("POST /backend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
			"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n", len(create)))
		if resp, _ := rc.response(); resp.StatusCode != 100 {
			t.Fatalf("got %d, want 100 Continue", resp.StatusCode)
		}
		rc.send(create)
		if resp, body := rc.response(); resp.StatusCode != 200 {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
	})
	t.Run("over the limit without Expect: 400 and close", func(t *testing.T) {
		rc := dialRaw(t, addr)
		rc.send(fmt.Sprintf("POST /backend HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n{", httpapi.MaxBodyBytes+1))
		resp, body := rc.response()
		if resp.StatusCode != 400 || !resp.Close || !strings.Contains(body, "exceeds the limit") {
			t.Errorf("got %d (close %v) %s", resp.StatusCode, resp.Close, body)
		}
	})
}
