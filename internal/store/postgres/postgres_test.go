package postgres_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/postgres"
	"github.com/amplifylite/amplifylite/internal/store/storetest"
)

func TestStore(t *testing.T) {
	var dsns sync.Map // *postgres.Store → its DSN, for Reopen
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) backend.Store {
			dsn := newSchema(t)
			s := open(t, dsn)
			dsns.Store(s, dsn)
			return s
		},
		Reopen: func(t *testing.T, s backend.Store) backend.Store {
			dsn, _ := dsns.Load(s)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s2 := open(t, dsn.(string))
			dsns.Store(s2, dsn)
			return s2
		},
	})
}

func TestOpen_ReplicasStartingTogether(t *testing.T) {
	dsn := newSchema(t)
	const n = 6
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(context.Background(), dsn) })
	}
	wg.Wait()
	var first []byte
	for i, s := range stores {
		if errs[i] != nil {
			t.Errorf("Open %d: %v", i, errs[i])
			continue
		}
		defer s.Close()
		secret, err := s.Secret(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = secret
		} else if !bytes.Equal(secret, first) {
			t.Errorf("store %d has secret %x, store 0 has %x", i, secret, first)
		}
	}
	if got := stores[0].Name(); got != "postgres" {
		t.Errorf("Name = %q", got)
	}
}

func TestOpen_RefusesNewerSchema(t *testing.T) {
	dsn, schema := createSchema(t)
	open(t, dsn).Close()
	_, pool := testServer(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO `+schema+`.schema_migrations (version) VALUES ($1)`, postgres.LatestVersion+1); err != nil {
		t.Fatal(err)
	}
	s, err := postgres.Open(ctx, dsn)
	storetest.CheckRefusesNewer(t, s, err, postgres.LatestVersion+1)
}

func TestOpen_BadDSN(t *testing.T) {
	for _, dsn := range []string{"postgres://%zz", "postgres://nobody@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"} {
		if s, err := postgres.Open(context.Background(), dsn); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
}
