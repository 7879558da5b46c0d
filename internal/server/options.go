package server

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/amplifylite/amplifylite/internal/control"
	"github.com/amplifylite/amplifylite/internal/sigv4"
)

// Options configures a server. Every field has a flag and an AMPLIFYLITE_*
// environment variable; flags win over the environment.
type Options struct {
	Listen      string        // --listen, AMPLIFYLITE_LISTEN
	DataDir     string        // --data-dir, AMPLIFYLITE_DATA_DIR; sqlite.Memory (":memory:") keeps nothing on disk
	DatabaseURL string        // --database-url, AMPLIFYLITE_DATABASE_URL; when set, PostgreSQL shared by replicas (DataDir unused)
	JobDuration time.Duration // --job-duration, AMPLIFYLITE_JOB_DURATION
	// JobRetention, when positive, is how long finished jobs are kept after
	// their last update; 0 keeps them all, as AWS does.
	// --job-retention, AMPLIFYLITE_JOB_RETENTION.
	JobRetention time.Duration
	TokenTTL     time.Duration // --token-ttl, AMPLIFYLITE_TOKEN_TTL
	Region       string        // --region, AMPLIFYLITE_REGION
	Buckets      []string      // --buckets, AMPLIFYLITE_BUCKETS (comma-separated)
	LogLevel     slog.Level    // --log-level, AMPLIFYLITE_LOG_LEVEL
	// Credentials, when any, must sign every request (SigV4); each maps its
	// access key to an account. --credentials, AMPLIFYLITE_CREDENTIALS:
	// comma-separated AKID:SECRET[:ACCOUNT].
	Credentials []sigv4.Credential
	// AdminToken is the bearer token the control plane (/_amplifylite/)
	// requires when Credentials are set. --admin-token,
	// AMPLIFYLITE_ADMIN_TOKEN.
	AdminToken string
	// JournalSize is how many API requests GET /_amplifylite/requests keeps.
	// --journal-size, AMPLIFYLITE_JOURNAL_SIZE.
	JournalSize int
	// Seed is a snapshot file (GET /_amplifylite/state) imported at start
	// when the store holds no record, so that restarts keep their state.
	// --seed, AMPLIFYLITE_SEED.
	Seed string

	// Limits of the HTTP server, so that slow, stuck or idle clients cannot
	// hold connections (and file descriptors) forever. Zero means no limit;
	// DefaultOptions sets them all.
	ReadHeaderTimeout time.Duration // --read-header-timeout: to receive a request's line and headers
	ReadTimeout       time.Duration // --read-timeout: to receive a request's body, once its headers are in
	WriteTimeout      time.Duration // --write-timeout: to answer, on top of ReadTimeout, from the end of the headers
	IdleTimeout       time.Duration // --idle-timeout: a keep-alive connection waits this long for its next request
	MaxHeaderBytes    int           // --max-header-bytes: request line and headers; larger requests get 431
	MaxConnections    int           // --max-connections: connections served at once (see limitListener)
}

// DefaultListen is the default address: port 4750 stays clear of LocalStack
// (4566, 4510–4559) and moto (5000).
const DefaultListen = "127.0.0.1:4750"

// DefaultOptions returns the defaults.
func DefaultOptions() Options {
	return Options{
		Listen:      DefaultListen,
		DataDir:     defaultDataDir(),
		JobDuration: time.Second,
		TokenTTL:    600 * time.Second,
		Region:      "us-east-1",
		LogLevel:    slog.LevelInfo,
		JournalSize: control.DefaultJournalSize,

		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second, // a 1 MiB body at ≥ 35 KiB/s
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second, // longer than the AWS SDKs' idle pool timeouts (Go: 90 s)
		MaxHeaderBytes:    64 << 10,
		MaxConnections:    512,
	}
}

// defaultDataDir is $XDG_DATA_HOME/amplifylite, else ~/.local/share/amplifylite.
func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return d + "/amplifylite"
	}
	if h, err := os.UserHomeDir(); err == nil {
		return h + "/.local/share/amplifylite"
	}
	return "amplifylite-data"
}

// ParseOptions reads options from the environment (getenv) and then args.
func ParseOptions(args []string, getenv func(string) string) (Options, error) {
	o := DefaultOptions()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&o.Listen, "listen", o.Listen, "address to listen on (HOST:PORT)")
	fs.StringVar(&o.DataDir, "data-dir", o.DataDir, "directory of the database file, or :memory: for a throwaway in-memory store")
	fs.StringVar(&o.DatabaseURL, "database-url", o.DatabaseURL, "PostgreSQL to share with other servers, e.g. postgres://USER:PASSWORD@HOST/DB (default: SQLite in --data-dir)")
	fs.DurationVar(&o.JobDuration, "job-duration", o.JobDuration, "how long a job stays RUNNING (0 = finish as soon as picked up)")
	fs.DurationVar(&o.JobRetention, "job-retention", o.JobRetention, "delete COMPLETED and FAILED jobs this long after their last update, e.g. 720h (0 = keep every job)")
	fs.DurationVar(&o.TokenTTL, "token-ttl", o.TokenTTL, "lifetime of challenge tokens")
	fs.StringVar(&o.Region, "region", o.Region, "region of unsigned requests")
	buckets := fs.String("buckets", "", "comma-separated pre-existing bucket names listed by ListS3Buckets")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	creds := fs.String("credentials", "", "comma-separated AKID:SECRET[:ACCOUNT] that must sign every request (default: accept any)")
	fs.StringVar(&o.AdminToken, "admin-token", o.AdminToken, "with --credentials, the bearer token the control plane (/_amplifylite/) requires; without one it is closed")
	fs.StringVar(&o.Seed, "seed", o.Seed, "snapshot file (GET /_amplifylite/state) to import at start when the store is empty")
	fs.IntVar(&o.JournalSize, "journal-size", o.JournalSize, "API requests kept by the request journal (GET /_amplifylite/requests)")
	fs.DurationVar(&o.ReadHeaderTimeout, "read-header-timeout", o.ReadHeaderTimeout, "time to receive a request's headers (0 = no limit)")
	fs.DurationVar(&o.ReadTimeout, "read-timeout", o.ReadTimeout, "time to receive a request's body after its headers; slower clients get 408 (0 = no limit)")
	fs.DurationVar(&o.WriteTimeout, "write-timeout", o.WriteTimeout, "time to answer a request, on top of --read-timeout, from the end of its headers (0 = no limit)")
	fs.DurationVar(&o.IdleTimeout, "idle-timeout", o.IdleTimeout, "how long a keep-alive connection may wait for its next request (0 = no limit)")
	fs.IntVar(&o.MaxHeaderBytes, "max-header-bytes", o.MaxHeaderBytes, "largest request line and headers; larger requests get 431 (0 = net/http's 1 MiB)")
	fs.IntVar(&o.MaxConnections, "max-connections", o.MaxConnections, "connections served at once; at the cap the longest-idle one is closed, or new ones wait (0 = no limit)")
	// Environment first, so that flags given on the command line win.
	for _, name := range []string{"listen", "data-dir", "database-url", "job-duration", "job-retention", "token-ttl", "region", "buckets", "log-level", "credentials", "admin-token", "journal-size", "seed",
		"read-header-timeout", "read-timeout", "write-timeout", "idle-timeout", "max-header-bytes", "max-connections"} {
		env := "AMPLIFYLITE_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if v := getenv(env); v != "" {
			if err := fs.Set(name, v); err != nil {
				return o, fmt.Errorf("%s: %w", env, err)
			}
		}
	}
	err := fs.Parse(args)
	if err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if o.JobDuration < 0 || o.JobRetention < 0 || o.TokenTTL <= 0 {
		return o, fmt.Errorf("--job-duration and --job-retention must be ≥ 0 and --token-ttl > 0")
	}
	if o.JournalSize < 1 {
		return o, fmt.Errorf("--journal-size must be ≥ 1")
	}
	if o.ReadHeaderTimeout < 0 || o.ReadTimeout < 0 || o.WriteTimeout < 0 || o.IdleTimeout < 0 || o.MaxHeaderBytes < 0 || o.MaxConnections < 0 {
		return o, fmt.Errorf("--read-header-timeout, --read-timeout, --write-timeout, --idle-timeout, --max-header-bytes and --max-connections must be ≥ 0")
	}
	for _, b := range strings.Split(*buckets, ",") {
		if b = strings.TrimSpace(b); b != "" {
			o.Buckets = append(o.Buckets, b)
		}
	}
	if o.Credentials, err = parseCredentials(*creds); err != nil {
		return o, fmt.Errorf("--credentials: %w", err)
	}
	if err := o.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return o, fmt.Errorf("--log-level: %w", err)
	}
	return o, nil
}

// parseCredentials reads AKID:SECRET[:ACCOUNT] entries separated by commas.
func parseCredentials(s string) ([]sigv4.Credential, error) {
	var out []sigv4.Credential
	for _, entry := range strings.Split(s, ",") {
		if entry = strings.TrimSpace(entry); entry == "" {
			continue
		}
		parts := strings.Split(entry, ":")
		if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
			return nil, fmt.Errorf("%q is not AKID:SECRET[:ACCOUNT]", strings.SplitN(entry, ":", 2)[0])
		}
		c := sigv4.Credential{AccessKeyID: parts[0], SecretAccessKey: parts[1]}
		if len(parts) == 3 {
			if len(parts[2]) != 12 || strings.Trim(parts[2], "0123456789") != "" {
				return nil, fmt.Errorf("account %q of %s is not 12 digits", parts[2], parts[0])
			}
			c.Account = parts[2]
		}
		out = append(out, c)
	}
	return out, nil
}
