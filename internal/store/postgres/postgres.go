// Package postgres is the backend.Store on PostgreSQL, for several servers
// (replicas) sharing one database. Update runs SERIALIZABLE transactions and
// retries those PostgreSQL aborts for conflicting with another, so every
// invariant the domain checks inside one Update holds across processes.
package postgres

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/jackc/pgx/v5/pgxpool"
)

var _ backend.Store = (*Store)(nil)

// Store is a backend.Store on a pool of PostgreSQL connections.
type Store struct {
	pool   *pgxpool.Pool
	secret []byte
	// gate is held shared by Update attempts and exclusively by those that
	// conflicted too often (see Update).
	gate sync.RWMutex

	// OnCommit, when set before the first Update, is told of every Update
	// that committed: how long it took, retries included (batch is 1).
	OnCommit func(commit time.Duration, batch int, err error)

	closeOnce sync.Once
}

// Open connects to the database dsn names (a postgres:// URL or key=value
// string, as libpq; pool_max_conns and the other pgxpool settings are
// accepted) and applies pending migrations in the schema the connection's
// search_path selects.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s, err := open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return s, nil
}

func open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	params := cfg.ConnConfig.RuntimeParams
	// A response is sent only after its commit is on disk, unless the
	// DSN says otherwise.
	if _, ok := params["synchronous_commit"]; !ok {
		params["synchronous_commit"] = "on"
	}
	if _, ok := params["application_name"]; !ok {
		params["application_name"] = "amplifylite"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := &Store{pool: pool}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if s.secret, err = ensureSecret(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("secret: %w", err)
	}
	return s, nil
}

// ensureSecret creates the database's secret unless another server did,
// and returns the one stored.
func ensureSecret(ctx context.Context, pool *pgxpool.Pool) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if _, err := pool.Exec(ctx, `INSERT INTO meta (key, value) VALUES ('secret', $1) ON CONFLICT (key) DO NOTHING`, key); err != nil {
		return nil, err
	}
	var got []byte
	if err := pool.QueryRow(ctx, `SELECT value FROM meta WHERE key = 'secret'`).Scan(&got); err != nil {
		return nil, err
	}
	return got, nil
}

// Name returns "postgres".
func (s *Store) Name() string { return "postgres" }

// Secret returns the database's random 32-byte key.
func (s *Store) Secret(ctx context.Context) ([]byte, error) {
	return append([]byte(nil), s.secret...), nil
}

// Close closes the pool, waiting for connections in use to be returned.
// Later calls do nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(s.pool.Close)
	return nil
}
