package record

import "fmt"

// Migration is one numbered step of a schema: statements run in order.
// A store's migrations[i] takes its database to version i+1; append only,
// never edit a released step.
type Migration []string

// NewerError is the refusal to open a database that a newer release
// migrated: this one does not know its schema.
type NewerError struct {
	Version, Latest int
}

func (e *NewerError) Error() string {
	return fmt.Sprintf("database schema version %d is newer than this release's %d: a newer amplifylite "+
		"migrated it; run that release or a later one, or restore a copy of the database from before that upgrade", e.Version, e.Latest)
}

// Migrate applies to a database at version v every migration after it, in
// one transaction the caller opened (exec runs a statement in it), and
// records each version it reaches with applied. It refuses a database newer
// than ms.
func Migrate(ms []Migration, v int, exec func(stmt string) error, applied func(version int) error) error {
	if v > len(ms) {
		return &NewerError{Version: v, Latest: len(ms)}
	}
	for ; v < len(ms); v++ {
		for _, stmt := range ms[v] {
			if err := exec(stmt); err != nil {
				return fmt.Errorf("version %d: %w", v+1, err)
			}
		}
		if err := applied(v + 1); err != nil {
			return fmt.Errorf("version %d: %w", v+1, err)
		}
	}
	return nil
}
