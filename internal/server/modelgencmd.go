package server

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// Files `amplifylite modelgen` writes, named as Amplify's codegen names them.
const (
	modelsFile        = "schema.js"
	introspectionFile = "model-introspection.json"
)

// modelgenCommand runs `amplifylite modelgen [--out DIR] SCHEMA`: the model
// generation of GenerateBackendAPIModels without a server. It reads a
// transform schema (a file, or "-" for standard input) and writes schema.js
// and model-introspection.json into DIR, byte for byte what
// GetBackendAPIModels answers for that schema. It exits 0 on success, 1 when
// the schema is invalid (saying why, as the job's error would) and 2 on a
// usage or I/O error.
func modelgenCommand(args []string, stdin io.Reader, stderr io.Writer) int {
	flags := flag.NewFlagSet("modelgen", flag.ContinueOnError)
	flags.SetOutput(stderr)
	out := flags.String("out", ".", "directory to write "+modelsFile+" and "+introspectionFile+" into (created if missing)")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: amplifylite modelgen [--out DIR] SCHEMA.graphql|-")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() != 1 {
		flags.Usage()
		return 2
	}
	var schema []byte
	var err error
	if name := flags.Arg(0); name == "-" {
		schema, err = io.ReadAll(stdin)
	} else {
		schema, err = os.ReadFile(name)
	}
	if err != nil {
		fmt.Fprintln(stderr, "amplifylite modelgen:", err)
		return 2
	}
	models, introspection, err := backend.GenerateModels(string(schema), modelGenerator())
	if err != nil {
		fmt.Fprintln(stderr, "amplifylite modelgen:", err)
		return 1
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(stderr, "amplifylite modelgen:", err)
		return 2
	}
	for _, f := range []struct{ name, text string }{{modelsFile, models}, {introspectionFile, introspection}} {
		if err := writeFileAtomic(filepath.Join(*out, f.name), f.text); err != nil {
			fmt.Fprintln(stderr, "amplifylite modelgen:", err)
			return 2
		}
	}
	return 0
}

// writeFileAtomic replaces path with text: a reader sees the old file or the
// whole new one, never a part.
func writeFileAtomic(path, text string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = io.WriteString(tmp, text)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
