package modelgen

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestMain doubles as a one-shot CLI for BenchmarkGenerateLargeProcess: with
// MODELGEN_HELPER_SCHEMA set, the test binary generates both outputs for that
// file into MODELGEN_HELPER_OUT and exits, like `node reference.mjs --out`.
func TestMain(m *testing.M) {
	if schema := os.Getenv("MODELGEN_HELPER_SCHEMA"); schema != "" {
		os.Exit(helperGenerate(schema, os.Getenv("MODELGEN_HELPER_OUT")))
	}
	os.Exit(m.Run())
}

func helperGenerate(schema, out string) int {
	sdl, err := os.ReadFile(schema)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	res, err := Generate(string(sdl), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := os.WriteFile(filepath.Join(out, "models.js"), []byte(res.Models), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := os.WriteFile(filepath.Join(out, "model-introspection.json"), []byte(res.ModelIntrospectionSchema), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// BenchmarkGenerateLargeProcess times a whole process (spawn to exit: start,
// read the 200-model schema, generate both outputs, write them), the
// counterpart of bench.mjs's "whole process" figure.
func BenchmarkGenerateLargeProcess(b *testing.B) {
	schema, err := filepath.Abs(filepath.FromSlash(largeSchema))
	if err != nil {
		b.Fatal(err)
	}
	out := b.TempDir()
	for b.Loop() {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "MODELGEN_HELPER_SCHEMA="+schema, "MODELGEN_HELPER_OUT="+out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, msg)
		}
	}
}
