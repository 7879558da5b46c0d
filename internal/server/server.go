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
	"github.com/amplifylite/amplifylite/internal/httpapi"
	"github.com/amplifylite/amplifylite/internal/jobs"
	"github.com/amplifylite/amplifylite/internal/sigv4"
	"github.com/amplifylite/amplifylite/internal/store/postgres"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// Version is the amplifylite version, set at build time with -ldflags.
var Version = "dev"

// Server is a running amplifylite.
type Server struct {
	URL     string // http://HOST:PORT
	Service *backend.Service
	Runner  *jobs.Runner

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
	svc, err := backend.New(ctx, store, backend.Config{
		JobDuration: opts.JobDuration, TokenTTL: opts.TokenTTL, Buckets: opts.Buckets, Models: modelGenerator(),
		Shared: opts.DatabaseURL != "", // replicas write to it too: no read cache
	})
	if err != nil {
		store.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s := &Server{URL: "http://" + ln.Addr().String(), Service: svc, Runner: jobs.New(svc, log), store: store, cancel: cancel, log: log}
	apiOpts := httpapi.Options{Region: opts.Region, Logger: log, Health: s.health}
	if len(opts.Credentials) > 0 {
		apiOpts.Verifier = sigv4.NewVerifier(opts.Credentials, nil)
	}
	api := httpapi.New(svc, apiOpts)
	s.http = &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.Runner.Run(runCtx)
	}()
	go func() {
		defer s.wg.Done()
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("serve", "err", err)
		}
	}()
	attrs := []any{"url", s.URL, "store", store.Name(), "version", Version}
	if opts.DatabaseURL == "" { // the URL may hold a password: not logged
		attrs = append(attrs, "dataDir", opts.DataDir)
	}
	log.Info("amplifylite started", attrs...)
	return s, nil
}

// openStore opens PostgreSQL when opts.DatabaseURL is set, else SQLite in
// opts.DataDir (in memory for Memory).
func openStore(ctx context.Context, opts Options) (backend.Store, error) {
	if opts.DatabaseURL != "" {
		return postgres.Open(ctx, opts.DatabaseURL)
	}
	path := sqlite.Memory
	if opts.DataDir != Memory {
		if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		path = filepath.Join(opts.DataDir, "amplifylite.db")
	}
	return sqlite.Open(ctx, path)
}

func (s *Server) health(ctx context.Context) (any, error) {
	err := s.store.View(ctx, func(backend.Tx) error { return nil })
	if err != nil {
		return nil, err
	}
	return map[string]string{"status": "ok", "version": Version, "store": s.store.Name()}, nil
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
