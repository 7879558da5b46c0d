// Package amplifylitetest runs an in-process amplifylite for Go tests: a
// loopback HTTP server with an in-memory store whose jobs complete as soon as
// they are created, torn down when the test ends.
//
// Point any AWS client at URL with the region and static credentials
// returned (any credentials are accepted; a 12-digit access key id selects
// that account).
package amplifylitetest

import (
	"context"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/server"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// Server is a running in-process amplifylite.
type Server struct {
	URL             string // base URL, e.g. http://127.0.0.1:41234
	Region          string // region requests are signed for
	AccessKeyID     string // static credentials a client may sign with
	SecretAccessKey string

	s *server.Server
}

// Options tunes a test server; the zero value is the default.
type Options struct {
	// JobDuration is how long jobs stay RUNNING (default 0: done at once).
	JobDuration time.Duration
	// Buckets are pre-existing bucket names listed by ListS3Buckets.
	Buckets []string
}

// New starts a server for the test and stops it with t.Cleanup.
func New(t testing.TB, opts ...Options) *Server {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	s, err := Start(o)
	if err != nil {
		t.Fatalf("amplifylitetest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a server outside of a test; the caller must Close it.
func Start(o Options) (*Server, error) {
	opts := server.DefaultOptions()
	opts.Listen = "127.0.0.1:0"
	opts.DataDir = sqlite.Memory
	opts.JobDuration = o.JobDuration
	opts.Buckets = o.Buckets
	s, err := server.Start(context.Background(), opts, nil)
	if err != nil {
		return nil, err
	}
	return &Server{URL: s.URL, Region: opts.Region, AccessKeyID: "AKIDAMPLIFYLITE", SecretAccessKey: "amplifylite", s: s}, nil
}

// Close stops the server and discards its state.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.s.Close(ctx)
}
