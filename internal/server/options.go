package server

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/amplifylite/amplifylite/internal/sigv4"
)

// Options configures a server. Every field has a flag and an AMPLIFYLITE_*
// environment variable; flags win over the environment.
type Options struct {
	Listen      string        // --listen, AMPLIFYLITE_LISTEN
	DataDir     string        // --data-dir, AMPLIFYLITE_DATA_DIR; ":memory:" keeps nothing on disk
	DatabaseURL string        // --database-url, AMPLIFYLITE_DATABASE_URL; when set, PostgreSQL shared by replicas (DataDir unused)
	JobDuration time.Duration // --job-duration, AMPLIFYLITE_JOB_DURATION
	TokenTTL    time.Duration // --token-ttl, AMPLIFYLITE_TOKEN_TTL
	Region      string        // --region, AMPLIFYLITE_REGION
	Buckets     []string      // --buckets, AMPLIFYLITE_BUCKETS (comma-separated)
	LogLevel    slog.Level    // --log-level, AMPLIFYLITE_LOG_LEVEL
	// Credentials, when any, must sign every request (SigV4); each maps its
	// access key to an account. --credentials, AMPLIFYLITE_CREDENTIALS:
	// comma-separated AKID:SECRET[:ACCOUNT].
	Credentials []sigv4.Credential
}

// DefaultListen is the default address: port 4750 stays clear of LocalStack
// (4566, 4510–4559) and moto (5000).
const DefaultListen = "127.0.0.1:4750"

// Memory is the data dir that selects the in-memory store.
const Memory = ":memory:"

// DefaultOptions returns the defaults.
func DefaultOptions() Options {
	return Options{
		Listen:      DefaultListen,
		DataDir:     defaultDataDir(),
		JobDuration: time.Second,
		TokenTTL:    600 * time.Second,
		Region:      "us-east-1",
		LogLevel:    slog.LevelInfo,
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
	fs.DurationVar(&o.TokenTTL, "token-ttl", o.TokenTTL, "lifetime of challenge tokens")
	fs.StringVar(&o.Region, "region", o.Region, "region of unsigned requests")
	buckets := fs.String("buckets", "", "comma-separated pre-existing bucket names listed by ListS3Buckets")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	creds := fs.String("credentials", "", "comma-separated AKID:SECRET[:ACCOUNT] that must sign every request (default: accept any)")
	// Environment first, so that flags given on the command line win.
	for _, name := range []string{"listen", "data-dir", "database-url", "job-duration", "token-ttl", "region", "buckets", "log-level", "credentials"} {
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
	if o.JobDuration < 0 || o.TokenTTL <= 0 {
		return o, fmt.Errorf("--job-duration must be ≥ 0 and --token-ttl > 0")
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
