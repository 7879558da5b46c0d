package upgradetest_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/server"
	"github.com/amplifylite/amplifylite/internal/upgradetest"
)

// TestUpgrade_FixturesReadBackIdentically opens every committed fixture
// database (a copy) with this build and requires every read to answer exactly
// what the release that wrote it answered.
func TestUpgrade_FixturesReadBackIdentically(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "*", "answers.json"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures under testdata/: %v", err)
	}
	for _, answers := range dirs {
		dir := filepath.Dir(answers)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			raw, err := os.ReadFile(answers)
			if err != nil {
				t.Fatal(err)
			}
			var fx upgradetest.Fixture
			if err := json.Unmarshal(raw, &fx); err != nil {
				t.Fatal(err)
			}
			data := t.TempDir()
			files, _ := filepath.Glob(filepath.Join(dir, "amplifylite.db*"))
			for _, f := range files {
				copyFile(t, f, filepath.Join(data, filepath.Base(f)))
			}
			opts := server.DefaultOptions()
			opts.Listen, opts.DataDir, opts.JobDuration, opts.TokenTTL = "127.0.0.1:0", data, 87600*time.Hour, 876000*time.Hour
			opts.Buckets = []string{"fixture-configured-bucket"}
			s, err := server.Start(context.Background(), opts, nil)
			if err != nil {
				t.Fatalf("open the database of release %s: %v", fx.Release, err)
			}
			defer s.Close(context.Background())
			var got []upgradetest.Answer
			for _, p := range upgradetest.Partitions {
				c := &upgradetest.Client{URL: s.URL, Account: p.Account, Region: p.Region}
				answers, err := c.Reads(fx.Sessions[p.Account+"/"+p.Region])
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, answers...)
			}
			if d := upgradetest.Diff(fx.Answers, got); d != "" {
				t.Errorf("release %s's database reads differently:\n%s", fx.Release, d)
			}
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
