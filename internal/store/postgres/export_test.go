package postgres

import (
	"context"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/record"
	"github.com/jackc/pgx/v5/pgxpool"
)

// LatestVersion is the schema version Open migrates to.
var LatestVersion = len(migrations)

// Conflict makes PostgreSQL abort btx's transaction with a serialization
// failure (SQLSTATE 40001), as a concurrent transaction would.
func Conflict(btx backend.Tx) error {
	return btx.(*tx).Exec(`DO $$ BEGIN RAISE EXCEPTION 'injected conflict' USING ERRCODE = '40001'; END $$`)
}

// Migrations are the schema's migrations.
var Migrations = migrations

// MigrateWith migrates the database dsn names with ms instead of the
// schema's migrations.
func MigrateWith(ctx context.Context, dsn string, ms []record.Migration) error {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	return migrateWith(ctx, pool, ms)
}
