package server_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/server"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// run runs the command line in-process and returns its exit code and output.
func run(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := server.Main(args, func(k string) string { return env[k] }, &out)
	t.Logf("amplifylite %s → %d\n%s", strings.Join(args, " "), code, out.String())
	return code, out.String()
}

// database makes dir/amplifylite.db with 100 apps, closed.
func database(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "amplifylite.db")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	p := backend.Partition{Account: "000000000000", Region: "us-east-1"}
	err = s.Update(ctx, func(tx backend.Tx) error {
		for i := range 100 {
			a := &backend.App{ID: fmt.Sprintf("app%03d", i), Name: strings.Repeat("n", 500), Created: time.Unix(0, 0)}
			if err := tx.PutApp(p, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// damage overwrites three pages in the middle of the database at path.
func damage(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ps := int(binary.BigEndian.Uint16(b[16:]))
	mid := len(b) / ps / 2
	for i := mid * ps; i < (mid+3)*ps; i++ {
		b[i] = byte(i*7919 + 13)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckCommand(t *testing.T) {
	t.Run("Healthy", func(t *testing.T) {
		dir := t.TempDir()
		path := database(t, dir)
		if code, out := run(t, nil, "check", "--data-dir", dir); code != 0 || !strings.Contains(out, path+": ok") {
			t.Errorf("check of a sound database: exit %d, %q", code, out)
		}
	})
	t.Run("DataDirFromEnvironment", func(t *testing.T) {
		dir := t.TempDir()
		database(t, dir)
		if code, _ := run(t, map[string]string{"AMPLIFYLITE_DATA_DIR": dir}, "check"); code != 0 {
			t.Errorf("exit %d, want 0", code)
		}
	})
	t.Run("Damaged", func(t *testing.T) {
		dir := t.TempDir()
		path := database(t, dir)
		damage(t, path)
		code, out := run(t, nil, "check", "--data-dir", dir)
		if code != 1 || !strings.Contains(out, path+": damaged") || !strings.Contains(out, "btreeInitPage") {
			t.Errorf("check of a damaged database: exit %d, %q", code, out)
		}
		// serve refuses to start, saying why in its log, and exits 1.
		code, out = run(t, nil, "serve", "--data-dir", dir, "--listen", "127.0.0.1:0")
		if code != 1 {
			t.Errorf("serve on a damaged database: exit %d, want 1", code)
		}
		for _, want := range []string{`"level":"ERROR"`, "database " + path + " is damaged", "amplifylite check --data-dir " + dir} {
			if !strings.Contains(out, want) {
				t.Errorf("serve's log lacks %q", want)
			}
		}
	})
	t.Run("NoDatabase", func(t *testing.T) {
		dir := t.TempDir()
		if code, out := run(t, nil, "check", "--data-dir", dir); code != 2 || !strings.Contains(out, "no database at") {
			t.Errorf("check of an empty directory: exit %d, %q", code, out)
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Errorf("check created %s", entries[0].Name())
		}
		missing := filepath.Join(dir, "missing")
		if code, _ := run(t, nil, "check", "--data-dir", missing); code != 2 {
			t.Errorf("check of a missing directory: exit %d, want 2", code)
		}
		if _, err := os.Stat(missing); err == nil {
			t.Error("check created the data directory")
		}
	})
	t.Run("Usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"check", "--data-dir", t.TempDir(), "extra"},
			{"check", "--nope"},
			{"check", "--data-dir", ":memory:"},
		} {
			if code, _ := run(t, nil, args...); code != 2 {
				t.Errorf("%v: exit %d, want 2", args, code)
			}
		}
		if _, out := run(t, nil); !strings.Contains(out, "amplifylite check [--data-dir DIR]") {
			t.Errorf("usage does not list check: %q", out)
		}
	})
}
