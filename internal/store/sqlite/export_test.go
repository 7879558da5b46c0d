package sqlite

import "testing"

// LatestVersion is the schema version Open migrates to.
var LatestVersion = len(migrations)

// Pragma returns a PRAGMA's value on the writer connection.
func Pragma(t *testing.T, s *Store, name string) string {
	t.Helper()
	var v string
	if err := s.writer.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// SchemaVersion returns the highest applied migration.
func SchemaVersion(t *testing.T, s *Store) int {
	t.Helper()
	var v int
	if err := s.writer.QueryRow("SELECT max(version) FROM schema_migrations").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// SetSchemaVersion records version as applied.
func SetSchemaVersion(t *testing.T, s *Store, version int) {
	t.Helper()
	if _, err := s.writer.Exec("INSERT INTO schema_migrations (version, applied) VALUES (?, 0)", version); err != nil {
		t.Fatal(err)
	}
}
