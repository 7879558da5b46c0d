package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/amplifylite/amplifylite/internal/store/postgres"
	"github.com/amplifylite/amplifylite/internal/store/storetest"
	"github.com/amplifylite/amplifylite/internal/testenv"
	"github.com/jackc/pgx/v5/pgxpool"
)

// envDSN names the server the tests run against. Without one they skip on a
// plain `go test`, and fail under CI: `make test` (or `make deps unit`)
// starts a throwaway cluster and sets it.
const envDSN = "AMPLIFYLITE_TEST_POSTGRES"

var admin struct {
	once sync.Once
	dsn  string
	pool *pgxpool.Pool
	err  error
}

// testServer returns the test server's DSN and a pool on it, failing the test
// when there is none.
func testServer(t testing.TB) (string, *pgxpool.Pool) {
	t.Helper()
	admin.once.Do(func() {
		admin.dsn = os.Getenv(envDSN)
		if admin.dsn == "" {
			return
		}
		ctx := context.Background()
		if admin.pool, admin.err = pgxpool.New(ctx, admin.dsn); admin.err == nil {
			admin.err = admin.pool.Ping(ctx)
		}
	})
	switch {
	case admin.dsn == "":
		testenv.Missing(t, envDSN, "%s is not set: these tests need a PostgreSQL server. `make test` (or `make deps unit`) starts one "+
			"on 127.0.0.1:54329 and sets it; or export %s=postgres://USER@HOST:PORT/DB?sslmode=disable", envDSN, envDSN)
	case admin.err != nil:
		t.Fatalf("%s is set but the server is unreachable (`make deps` starts the test cluster): %v", envDSN, admin.err)
	}
	return admin.dsn, admin.pool
}

// newSchema creates an empty schema, dropped when the test ends, and returns
// a DSN whose connections use it.
func newSchema(t testing.TB) string {
	t.Helper()
	dsn, _ := createSchema(t)
	return dsn
}

// createSchema is newSchema that also returns the schema's name.
func createSchema(t testing.TB) (dsn, name string) {
	t.Helper()
	admin, pool := testServer(t)
	b := make([]byte, 8)
	rand.Read(b)
	name = "amplifylite_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	return withSearchPath(admin, name), name
}

// withSearchPath adds search_path to a URL or key=value DSN.
func withSearchPath(dsn, schema string) string {
	if !strings.Contains(dsn, "://") {
		return dsn + " search_path=" + schema
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn // Open reports it
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t testing.TB, dsn string) *postgres.Store {
	t.Helper()
	return storetest.MustOpen(t, postgres.Open, dsn)
}
