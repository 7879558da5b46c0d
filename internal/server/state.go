package server

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/control"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// seed imports the snapshot file into an empty store (serve --seed); a store
// with any record keeps it, so that a restart does not import again.
func seed(ctx context.Context, svc *backend.Service, path string, log *slog.Logger) error {
	empty, err := svc.Empty(ctx)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if !empty {
		log.Info("seed skipped: the store is not empty", "seed", path)
		return nil
	}
	snap, err := readSnapshot(path)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	n, err := svc.Import(ctx, snap, backend.ImportMerge)
	if err != nil {
		return fmt.Errorf("seed %s: %w", path, err)
	}
	log.Info("seeded", "seed", path, "apps", n.Apps, "environments", n.Environments, "resources", n.Resources,
		"jobs", n.Jobs, "tokens", n.Tokens, "buckets", n.Buckets)
	return nil
}

func readSnapshot(path string) (*backend.Snapshot, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	snap, err := control.DecodeSnapshot(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return snap, nil
}

const stateUsage = `usage: amplifylite state export [--data-dir DIR] [--out FILE]
       amplifylite state import [--data-dir DIR] [--mode merge|replace] FILE`

// stateCommand runs `amplifylite state export|import` on the database in the
// data directory of a stopped server. It exits 0 on success, 1 when the
// export or import failed and 2 on a usage error.
func stateCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "export" && args[0] != "import") {
		fmt.Fprintln(stderr, stateUsage)
		return 2
	}
	verb := args[0]
	flags := flag.NewFlagSet("state "+verb, flag.ContinueOnError)
	flags.SetOutput(stderr)
	dir := flags.String("data-dir", DefaultOptions().DataDir, "directory of the database file (environment: AMPLIFYLITE_DATA_DIR)")
	if v := getenv("AMPLIFYLITE_DATA_DIR"); v != "" {
		*dir = v
	}
	out := flags.String("out", "", "export: write the snapshot to this file (default: standard output)")
	mode := flags.String("mode", string(backend.ImportMerge), "import: merge (keep other records) or replace (reset the snapshot's scope first)")
	if err := flags.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "amplifylite state %s: %v\n", verb, err)
		return 1
	}
	if *dir == sqlite.Memory {
		fmt.Fprintf(stderr, "amplifylite state %s: an in-memory store keeps no state between processes\n", verb)
		return 2
	}
	var file string
	switch {
	case verb == "export" && flags.NArg() == 0:
	case verb == "import" && flags.NArg() == 1:
		file = flags.Arg(0)
	default:
		fmt.Fprintln(stderr, stateUsage)
		return 2
	}
	path := filepath.Join(*dir, dbFile)
	if verb == "export" {
		if _, err := os.Stat(path); err != nil {
			return fail(fmt.Errorf("no database at %s: %w", path, err))
		}
	} else if err := os.MkdirAll(*dir, 0o755); err != nil {
		return fail(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		return fail(err)
	}
	defer store.Close()
	svc, err := backend.New(ctx, store, backend.Config{})
	if err != nil {
		return fail(err)
	}
	if verb == "export" {
		snap, err := svc.Export(ctx, backend.Scope{})
		if err != nil {
			return fail(err)
		}
		snap.Amplifylite = version()
		raw, err := json.Marshal(snap)
		if err != nil {
			return fail(err)
		}
		raw = append(raw, '\n')
		if *out == "" {
			_, err = stdout.Write(raw)
		} else {
			err = os.WriteFile(*out, raw, 0o644)
		}
		if err != nil {
			return fail(err)
		}
		return 0
	}
	snap, err := readSnapshot(file)
	if err != nil {
		return fail(err)
	}
	n, err := svc.Import(ctx, snap, backend.ImportMode(*mode))
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stderr, "imported %d apps, %d environments, %d resources, %d jobs, %d tokens, %d buckets into %s\n",
		n.Apps, n.Environments, n.Resources, n.Jobs, n.Tokens, n.Buckets, path)
	return 0
}
