// Package server assembles amplifylite: store, domain, job runner and HTTP
// edge, with graceful shutdown. cmd/amplifylite and amplifylitetest use it.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/console"
	"github.com/amplifylite/amplifylite/internal/control"
	"github.com/amplifylite/amplifylite/internal/httpapi"
	"github.com/amplifylite/amplifylite/internal/jobs"
	"github.com/amplifylite/amplifylite/internal/sigv4"
	"github.com/amplifylite/amplifylite/internal/store/postgres"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// Version is the amplifylite version, set at build time with -ldflags; the
// module version in the binary's build information wins (see version).
var Version = "dev"

// version is the version the server reports: the module version the binary
// was built at, else Version.
func version() string { return control.ReadBuild(Version).Version }

// runningJobsCap bounds the running jobs counted for the control plane.
const runningJobsCap = 100_000

// runningJobs counts the store's RUNNING jobs (up to runningJobsCap), for
// the control plane's info and metrics.
func runningJobs(store backend.Store) func(context.Context) (int, error) {
	return func(ctx context.Context) (n int, err error) {
		err = store.View(ctx, func(tx backend.Tx) error {
			refs, err := tx.DueJobs(time.Now().AddDate(100, 0, 0), runningJobsCap)
			n = len(refs)
			return err
		})
		return n, err
	}
}

// Server is a running amplifylite.
type Server struct {
	URL     string // http://HOST:PORT
	Service *backend.Service
	Runner  *jobs.Runner
	Control *control.Plane

	store  backend.Store
	http   *http.Server
	cancel context.CancelFunc
	wg     sync.WaitGroup
	log    *slog.Logger
	once   sync.Once
	err    error
}

// Start opens the store, starts the job runner and serves HTTP on
// opts.Listen. The caller must Close it.
func Start(ctx context.Context, opts Options, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	store, err := openStore(ctx, opts)
	if err != nil {
		return nil, err
	}
	s := &Server{store: store, log: log}
	ctl := control.New(control.Config{
		Version: Version, Store: store.Name(), Health: s.health, RunningJobs: runningJobs(store),
		Protected: len(opts.Credentials) > 0, AdminToken: opts.AdminToken, JournalSize: opts.JournalSize, Logger: log,
	})
	switch st := store.(type) {
	case *sqlite.Store:
		st.OnCommit = ctl.OnCommit
	case *postgres.Store:
		st.OnCommit = ctl.OnCommit
	}
	svc, err := backend.New(ctx, store, backend.Config{
		JobDuration: opts.JobDuration, TokenTTL: opts.TokenTTL, Buckets: opts.Buckets, Models: modelGenerator(),
		Shared: opts.DatabaseURL != "", // replicas write to it too: no read cache
		OnJob:  ctl.OnJob,
	})
	if err != nil {
		store.Close()
		return nil, err
	}
	ctl.SetJobs(svc)
	ctl.SetState(svc)
	// The console (templates, gzipped assets: ~10 ms of CPU) is built by
	// its first request, not before the server's first answer.
	ctl.SetConsole(&lazyHandler{build: func() http.Handler {
		return console.New(console.Config{Domain: svc, Plane: ctl, Store: store.Name(), DefaultRegion: opts.Region, Logger: log})
	}})
	if opts.Seed != "" {
		if err := seed(ctx, svc, opts.Seed, log); err != nil {
			store.Close()
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s.URL, s.Service, s.Runner, s.Control, s.cancel = "http://"+ln.Addr().String(), svc, jobs.New(svc, log), ctl, cancel
	apiOpts := httpapi.Options{Region: opts.Region, Logger: log, ReadTimeout: opts.ReadTimeout,
		Control: ctl, Faults: ctl.Inject, Observe: ctl.Observe}
	apiOpts.Services, apiOpts.Public = services(svc, log, len(opts.Credentials) > 0)
	if len(opts.Credentials) > 0 {
		apiOpts.Verifier = sigv4.NewVerifier(opts.Credentials, nil)
	}
	api := httpapi.New(svc, apiOpts)
	// The body's deadline is set by the handler (httpapi.Options.ReadTimeout),
	// counted from the end of the headers; http.Server's ReadTimeout would
	// count header time against it. WriteTimeout runs from the end of the
	// headers too, so the body's time is added to it.
	s.http = &http.Server{
		Handler:           api,
		ReadHeaderTimeout: opts.ReadHeaderTimeout,
		IdleTimeout:       opts.IdleTimeout,
		MaxHeaderBytes:    opts.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	s.http.RegisterOnShutdown(ctl.Close) // event streams end, so that Shutdown need not wait for them
	if opts.WriteTimeout > 0 {
		s.http.WriteTimeout = opts.ReadTimeout + opts.WriteTimeout
	}
	if opts.MaxConnections > 0 {
		lim := newLimitListener(ln, opts.MaxConnections)
		s.http.ConnState = lim.connState
		ln = lim
	}
	// The runner's first look, before serving: the first requests then
	// find the database connection it used idle.
	firstRound := s.Runner.FirstWait(ctx)
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.Runner.RunAfter(runCtx, firstRound)
	}()
	if opts.JobRetention > 0 {
		s.wg.Go(func() { jobs.NewRetention(svc, opts.JobRetention, log).Run(runCtx) })
	}
	go func() {
		defer s.wg.Done()
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("serve", "err", err)
		}
	}()
	attrs := []any{"url", s.URL, "store", store.Name(), "version", version()}
	if opts.DatabaseURL == "" { // the URL may hold a password: not logged
		attrs = append(attrs, "dataDir", opts.DataDir)
	}
	log.Info("amplifylite started", attrs...)
	return s, nil
}

// openStore opens PostgreSQL when opts.DatabaseURL is set, else SQLite in
// opts.DataDir (in memory for sqlite.Memory).
func openStore(ctx context.Context, opts Options) (backend.Store, error) {
	if opts.DatabaseURL != "" {
		return postgres.Open(ctx, opts.DatabaseURL)
	}
	path := sqlite.Memory
	if opts.DataDir != sqlite.Memory {
		if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		path = filepath.Join(opts.DataDir, dbFile)
	}
	return sqlite.Open(ctx, path)
}

func (s *Server) health(ctx context.Context) (any, error) {
	err := s.store.View(ctx, func(backend.Tx) error { return nil })
	if err != nil {
		return nil, err
	}
	if st, ok := s.store.(interface{ WriteFailure() error }); ok {
		if err := st.WriteFailure(); err != nil {
			return nil, err // 503 until a restart: see sqlite's sync.go
		}
	}
	h := map[string]string{"status": "ok", "version": version(), "store": s.store.Name(), "jobs": "ok"}
	if ok, err := s.Runner.Health(); !ok {
		h["jobs"], h["jobsError"] = "degraded", err.Error()
	}
	return h, nil
}

// Close stops accepting requests, drains those in flight (up to ctx's
// deadline), stops the runner and closes the database.
func (s *Server) Close(ctx context.Context) error {
	s.once.Do(func() {
		errHTTP := s.http.Shutdown(ctx)
		s.cancel()
		s.wg.Wait()
		s.err = errors.Join(errHTTP, s.store.Close())
		s.log.Info("amplifylite stopped")
	})
	return s.err
}

// limitListener serves at most max connections at once, so that clients
// cannot exhaust the process's file descriptors. A connection accepted at the
// cap makes room by closing the connection idle the longest (keep-alive
// between requests, as http.Server's Shutdown does); when none is idle it
// waits, unread, until one closes, and later ones wait in the kernel's accept
// queue. Every connection ends within the server's timeouts (header, body,
// write, idle), so the wait is bounded by them.
type limitListener struct {
	net.Listener
	slots chan struct{} // one token per connection being served
	idled chan struct{} // signalled when a connection becomes idle
	done  chan struct{} // closed by Close
	once  sync.Once

	mu   sync.Mutex
	idle map[net.Conn]time.Time // idle connections and since when
}

func newLimitListener(ln net.Listener, max int) *limitListener {
	return &limitListener{Listener: ln, slots: make(chan struct{}, max), idled: make(chan struct{}, 1),
		done: make(chan struct{}), idle: map[net.Conn]time.Time{}}
}

// Accept returns the next connection once it has a slot.
func (l *limitListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	for {
		select {
		case l.slots <- struct{}{}:
			return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
		default:
		}
		l.closeLongestIdle()
		select {
		case l.slots <- struct{}{}:
			return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
		case <-l.idled:
		case <-l.done:
			c.Close()
			return nil, net.ErrClosed
		}
	}
}

// closeLongestIdle closes the connection idle the longest, if any; its slot
// is free when this returns.
func (l *limitListener) closeLongestIdle() {
	l.mu.Lock()
	var oldest net.Conn
	var since time.Time
	for c, t := range l.idle {
		if oldest == nil || t.Before(since) {
			oldest, since = c, t
		}
	}
	delete(l.idle, oldest)
	l.mu.Unlock()
	if oldest != nil {
		oldest.Close()
	}
}

// connState is the http.Server's ConnState hook: it tracks idle connections.
func (l *limitListener) connState(c net.Conn, st http.ConnState) {
	l.mu.Lock()
	if st == http.StateIdle {
		l.idle[c] = time.Now()
	} else {
		delete(l.idle, c)
	}
	l.mu.Unlock()
	if st == http.StateIdle {
		select {
		case l.idled <- struct{}{}:
		default:
		}
	}
}

// Close stops Accept, including one waiting for a slot.
func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitedConn gives its slot back when closed.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// CloseWrite lets net/http half-close a connection before closing it, so a
// client still sending a body it will not read gets the answer, not a reset.
func (c *limitedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// lazyHandler builds its handler when it serves its first request.
type lazyHandler struct {
	build func() http.Handler
	once  sync.Once
	h     http.Handler
}

func (l *lazyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.once.Do(func() { l.h = l.build() })
	l.h.ServeHTTP(w, r)
}
