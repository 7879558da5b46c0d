package postgres

import "github.com/amplifylite/amplifylite/internal/backend"

// LatestVersion is the schema version Open migrates to.
var LatestVersion = len(migrations)

// Conflict makes PostgreSQL abort btx's transaction with a serialization
// failure (SQLSTATE 40001), as a concurrent transaction would.
func Conflict(btx backend.Tx) error {
	return btx.(*tx).exec(`DO $$ BEGIN RAISE EXCEPTION 'injected conflict' USING ERRCODE = '40001'; END $$`)
}
