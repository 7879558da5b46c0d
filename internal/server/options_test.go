package server

import (
	"log/slog"
	"reflect"
	"testing"
	"time"
)

func TestParseOptions_FlagsOverrideEnvironment(t *testing.T) {
	env := map[string]string{
		"AMPLIFYLITE_LISTEN": "0.0.0.0:1", "AMPLIFYLITE_DATA_DIR": "/env", "AMPLIFYLITE_JOB_DURATION": "5s", "AMPLIFYLITE_JOB_RETENTION": "720h",
		"AMPLIFYLITE_TOKEN_TTL": "1m", "AMPLIFYLITE_REGION": "eu-west-1", "AMPLIFYLITE_BUCKETS": "a, b",
		"AMPLIFYLITE_LOG_LEVEL": "debug", "AMPLIFYLITE_DATABASE_URL": "postgres://env/db",
		"AMPLIFYLITE_READ_HEADER_TIMEOUT": "2s", "AMPLIFYLITE_READ_TIMEOUT": "3s", "AMPLIFYLITE_WRITE_TIMEOUT": "4s",
		"AMPLIFYLITE_IDLE_TIMEOUT": "5s", "AMPLIFYLITE_MAX_HEADER_BYTES": "1000", "AMPLIFYLITE_MAX_CONNECTIONS": "7",
		"AMPLIFYLITE_ADMIN_TOKEN": "env-token", "AMPLIFYLITE_JOURNAL_SIZE": "10",
	}
	got, err := ParseOptions([]string{"--listen", "127.0.0.1:2", "--job-duration", "0", "--idle-timeout", "0", "--max-connections", "9",
		"--admin-token", "flag-token"},
		func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := Options{Listen: "127.0.0.1:2", DataDir: "/env", DatabaseURL: "postgres://env/db", JobDuration: 0, JobRetention: 720 * time.Hour, TokenTTL: time.Minute, Region: "eu-west-1",
		Buckets: []string{"a", "b"}, LogLevel: slog.LevelDebug,
		ReadHeaderTimeout: 2 * time.Second, ReadTimeout: 3 * time.Second, WriteTimeout: 4 * time.Second, IdleTimeout: 0,
		MaxHeaderBytes: 1000, MaxConnections: 9, AdminToken: "flag-token", JournalSize: 10}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestParseOptions_Rejects(t *testing.T) {
	none := func(string) string { return "" }
	for _, args := range [][]string{{"--job-duration", "-1s"}, {"--job-retention", "-1h"}, {"--token-ttl", "0s"}, {"--log-level", "loud"}, {"extra"}, {"--nope"},
		{"--read-timeout", "-1s"}, {"--idle-timeout", "-1s"}, {"--max-connections", "-1"}, {"--max-header-bytes", "many"},
		{"--journal-size", "0"}} {
		if _, err := ParseOptions(args, none); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	if _, err := ParseOptions(nil, func(k string) string {
		if k == "AMPLIFYLITE_JOB_DURATION" {
			return "soon"
		}
		return ""
	}); err == nil {
		t.Error("a bad environment value was accepted")
	}
}
