package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/amplifylite/amplifylite/internal/modelgen"
)

// modelgenCmd times model generation of one transform schema (both outputs:
// the DataStore models of schema.js and the model introspection schema),
// ours and the official generator's, each as the median of -n runs:
//
//	warm     in one process, after a first, untimed generation
//	process  a whole process, spawn to exit: `amplifylite modelgen --out TMP
//	         SCHEMA`, and for the official generator bench.mjs's
//	         `node reference.mjs --out TMP SCHEMA`
//
// The official figures come from internal/modelgen/testdata/ref/bench.mjs
// (its packages installed by scripts/deps.d/20-modelgen-ref.sh); when they
// are not installed, or bench.mjs runs past -timeout, the result says so.
func modelgenCmd(args []string) error {
	fs := flag.NewFlagSet("modelgen", flag.ExitOnError)
	schema := fs.String("schema", "", "transform schema file")
	name := fs.String("name", "", "the schema's name in the report")
	n := fs.Int("n", 5, "runs of each measurement")
	amp := fs.String("amplifylite", "", "amplifylite binary (for the whole-process figure)")
	ref := fs.String("ref", "internal/modelgen/testdata/ref", "where the official generator is installed (MODELGEN_REF_DIR: its node_modules)")
	timeout := fs.Duration("timeout", 10*time.Minute, "bound on the official generator's measurements")
	officialWarm := fs.Bool("official-warm", true, "also time the official generator warm (bench.mjs: four generations for -n 1); false: whole process only")
	results := fs.String("results", "", "results.jsonl")
	fs.Parse(args)
	sdl, err := os.ReadFile(*schema)
	if err != nil {
		return err
	}
	record := func(server, mode string, samples []float64, note string) error {
		r := Result{Kind: "modelgen", Server: server, Workload: *name, Mode: mode, Runs: len(samples), ErrorNote: note, Requests: int64(len(sdl))}
		if len(samples) > 0 {
			r.P50ms = median(samples)
		}
		return appendResult(*results, r)
	}

	// Ours, warm.
	if _, err := modelgen.Generate(string(sdl), modelgen.Options{}); err != nil {
		return fmt.Errorf("generate %s: %w", *schema, err)
	}
	var warm []float64
	for range *n {
		t0 := time.Now()
		if _, err := modelgen.Generate(string(sdl), modelgen.Options{}); err != nil {
			return err
		}
		warm = append(warm, ms(time.Since(t0)))
	}
	if err := record("amplifylite", "warm", warm, ""); err != nil {
		return err
	}
	// Ours, whole process.
	out, err := os.MkdirTemp("", "modelgen-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(out)
	var whole []float64
	for range *n {
		t0 := time.Now()
		if msg, err := exec.Command(*amp, "modelgen", "--out", out, *schema).CombinedOutput(); err != nil {
			return fmt.Errorf("amplifylite modelgen: %v: %s", err, msg)
		}
		whole = append(whole, ms(time.Since(t0)))
	}
	if err := record("amplifylite", "process", whole, ""); err != nil {
		return err
	}

	// The official generator.
	if _, err := os.Stat(filepath.Join(*ref, "node_modules")); err != nil {
		note := "not measured: the official generator is not installed (scripts/deps.d/20-modelgen-ref.sh)"
		return errors.Join(record("official", "warm", nil, note), record("official", "process", nil, note))
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	abs, _ := filepath.Abs(*schema)
	refDir, _ := filepath.Abs(*ref)
	if !*officialWarm {
		var whole []float64
		for range *n {
			t0 := time.Now()
			cmd := exec.CommandContext(ctx, "node", "internal/modelgen/testdata/ref/reference.mjs", "--quiet", "--out", out, abs)
			cmd.Env = append(os.Environ(), "MODELGEN_REF_DIR="+refDir)
			msg, err := cmd.CombinedOutput()
			if ctx.Err() != nil {
				note := fmt.Sprintf("not finished within %v", *timeout)
				return errors.Join(record("official", "warm", nil, "not measured"), record("official", "process", nil, note))
			}
			if err != nil {
				return fmt.Errorf("reference.mjs: %v: %s", err, msg)
			}
			whole = append(whole, ms(time.Since(t0)))
		}
		return errors.Join(record("official", "warm", nil, "whole process only (one generation takes minutes)"), record("official", "process", whole, ""))
	}
	cmd := exec.CommandContext(ctx, "node", "internal/modelgen/testdata/ref/bench.mjs", "--runs", fmt.Sprint(*n), abs)
	cmd.Env = append(os.Environ(), "MODELGEN_REF_DIR="+refDir)
	cmd.Stderr = os.Stderr
	raw, err := cmd.Output()
	if ctx.Err() != nil {
		note := fmt.Sprintf("not finished within %v", *timeout)
		return errors.Join(record("official", "warm", nil, note), record("official", "process", nil, note))
	}
	if err != nil {
		return fmt.Errorf("bench.mjs: %w", err)
	}
	var res struct {
		Node    string               `json:"node"`
		Samples map[string][]float64 `json:"samples_ms"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return fmt.Errorf("bench.mjs output: %w: %s", err, raw)
	}
	note := "node " + res.Node
	return errors.Join(record("official", "warm", res.Samples["in_process_warm_both"], note),
		record("official", "process", res.Samples["whole_process_both"], note))
}
