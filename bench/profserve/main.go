// Command profserve is amplifylite's serve command with net/http/pprof on a
// second loopback port, for profiling under bench/run.sh's loads:
//
//	profserve --pprof 127.0.0.1:6060 [amplifylite serve flags...]
//	go tool pprof -top http://127.0.0.1:6060/debug/pprof/profile?seconds=5
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on the default mux
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/amplifylite/amplifylite/internal/server"
)

func main() {
	args, pprofAddr := os.Args[1:], "127.0.0.1:6060"
	if len(args) >= 2 && args[0] == "--pprof" {
		pprofAddr, args = args[1], args[2:]
	}
	if len(args) > 0 && args[0] == "serve" {
		args = args[1:]
	}
	opts, err := server.ParseOptions(args, os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "profserve:", err)
		os.Exit(2)
	}
	go func() { fmt.Fprintln(os.Stderr, http.ListenAndServe(pprofAddr, nil)) }()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: opts.LogLevel}))
	s, err := server.Start(ctx, opts, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "profserve:", err)
		os.Exit(1)
	}
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.Close(shutdown)
}
