package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/amplifylite/amplifylite/internal/control"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

const usage = `usage: amplifylite serve [flags]             run the server (amplifylite serve -h lists flags)
       amplifylite check [--data-dir DIR]  check the stopped server's database: exit 0 sound, 1 damaged, 2 not checked
       amplifylite state export [--data-dir DIR] [--out FILE]
                                           export the stopped server's state as a snapshot
       amplifylite state import [--data-dir DIR] [--mode merge|replace] FILE
                                           import a snapshot into the stopped server's database
       amplifylite modelgen [--out DIR] SCHEMA.graphql|-
                                           generate schema.js and model-introspection.json from a
                                           transform schema, as GenerateBackendAPIModels does
       amplifylite version                 print the version`

// dbFile is the database file's name in the data directory (as openStore
// names it).
const dbFile = "amplifylite.db"

// Main runs the command line and returns the exit code.
func Main(args []string, getenv func(string) string, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	switch args[0] {
	case "version":
		fmt.Fprintln(stderr, "amplifylite", control.ReadBuild(Version))
		return 0
	case "check":
		return check(args[1:], getenv, stderr)
	case "state":
		return stateCommand(args[1:], getenv, os.Stdout, stderr)
	case "modelgen":
		return modelgenCommand(args[1:], os.Stdin, stderr)
	case "serve":
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	opts, err := ParseOptions(args[1:], getenv)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "amplifylite:", err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: opts.LogLevel}))
	if getenv("GOGC") == "" {
		// With a live heap under a few MB, Go's default collects every ~4 MB
		// allocated, several hundred times a second under load; twice the
		// room halves that for ~4 MB of memory (README: Configuration).
		debug.SetGCPercent(200)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	s, err := Start(ctx, opts, log)
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	<-ctx.Done()
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := s.Close(shutdownCtx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	return 0
}

// check runs `amplifylite check`: SQLite's complete integrity check of the
// database in the data directory (--data-dir, AMPLIFYLITE_DATA_DIR or serve's
// default), which it neither creates nor changes. It exits 0 when the
// database is sound, 1 when it is damaged and 2 when it could not check:
// usage error, no database, unreadable file.
func check(args []string, getenv func(string) string, stderr io.Writer) int {
	flags := flag.NewFlagSet("check", flag.ContinueOnError)
	flags.SetOutput(stderr)
	dir := flags.String("data-dir", DefaultOptions().DataDir, "directory of the database file (environment: AMPLIFYLITE_DATA_DIR)")
	if v := getenv("AMPLIFYLITE_DATA_DIR"); v != "" {
		*dir = v
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "amplifylite check: unexpected arguments: %v\n", flags.Args())
		return 2
	}
	if *dir == sqlite.Memory {
		fmt.Fprintln(stderr, "amplifylite check: an in-memory store keeps no database to check")
		return 2
	}
	path, err := filepath.Abs(filepath.Join(*dir, dbFile))
	if err != nil {
		fmt.Fprintln(stderr, "amplifylite check:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err = sqlite.Check(ctx, path)
	var damaged *sqlite.DamagedError
	switch {
	case err == nil:
		fmt.Fprintf(stderr, "%s: ok\n", path)
		return 0
	case errors.As(err, &damaged):
		fmt.Fprintf(stderr, "%s: damaged; %s found:\n", path, damaged.Check)
		for _, p := range damaged.Problems {
			fmt.Fprintln(stderr, "  "+p)
		}
		fmt.Fprintln(stderr, "Restore it from a backup or a snapshot, or move it aside (with its -wal and -shm files) "+
			"to start the server with an empty database.")
		return 1
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(stderr, "amplifylite check: no database at %s (nothing checked, nothing created)\n", path)
		return 2
	default:
		fmt.Fprintln(stderr, "amplifylite check:", err)
		return 2
	}
}
