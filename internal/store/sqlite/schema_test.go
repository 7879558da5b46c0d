package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// TestSchema_SameAsMigrations checks that a new database, built from the
// schema in one step, has the schema that the migrations give an empty
// database and an upgraded one: the same tables with the same columns
// (types, constraints, defaults, order), the same indexes (columns, order,
// uniqueness, partial conditions), and every version recorded.
func TestSchema_SameAsMigrations(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	fresh := filepath.Join(dir, "fresh", "amplifylite.db")
	openAt(t, fresh).Close()

	// A file of zero bytes is an empty database that Open migrates from
	// version 0.
	migrated := filepath.Join(dir, "migrated", "amplifylite.db")
	if err := os.MkdirAll(filepath.Dir(migrated), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(migrated, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	openAt(t, migrated).Close()

	upgraded := openVersion1(t)
	openAt(t, upgraded).Close()

	want := describeSchema(t, migrated)
	for name, path := range map[string]string{"new database": fresh, "upgraded from version 1": upgraded} {
		got := describeSchema(t, path)
		if d := diffLines(got, want); d != "" {
			t.Errorf("%s: schema differs from the migrated one (-got +want):\n%s", name, d)
		}
	}

	// The new database was built from the one-step schema, not migrated:
	// its jobs table is the schema's statement, not an ALTERed one.
	db := openRO(t, fresh)
	var jobs string
	if err := db.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE name = 'jobs'`).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, stmt := range sqlite.Schema {
		found = found || strings.Join(strings.Fields(stmt), " ") == strings.Join(strings.Fields(jobs), " ")
	}
	if !found {
		t.Errorf("the new database's jobs table was not built by the schema's statement:\n%s", jobs)
	}
}

// openRO opens the database file at path read-only for the test's duration.
func openRO(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// describeSchema lists what the schema of the database at path means, one
// line per fact, in a stable order: every object, every table's columns,
// indexes and foreign keys, every index's columns and condition, and the
// recorded versions. Statement texts are compared only for indexes (with
// whitespace normalised), since ALTER TABLE rewrites a table's.
func describeSchema(t *testing.T, path string) []string {
	t.Helper()
	ctx := context.Background()
	db := openRO(t, path)
	var lines []string
	rows := func(prefix, q string, args ...any) {
		rs, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rs.Close()
		cols, _ := rs.Columns()
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				if s, ok := v.(string); ok {
					v = strings.Join(strings.Fields(s), " ")
				}
				parts[i] = fmt.Sprintf("%s=%v", cols[i], v)
			}
			lines = append(lines, prefix+" "+strings.Join(parts, " "))
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
	}
	type object struct{ typ, name string }
	var objects []object
	rs, err := db.QueryContext(ctx, `SELECT type, name FROM sqlite_schema ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var o object
		if err := rs.Scan(&o.typ, &o.name); err != nil {
			t.Fatal(err)
		}
		objects = append(objects, o)
	}
	rs.Close()
	for _, o := range objects {
		lines = append(lines, o.typ+" "+o.name)
		switch o.typ {
		case "table":
			rows("table "+o.name, `SELECT type, ncol, wr, strict FROM pragma_table_list(?)`, o.name)
			rows("column "+o.name, `SELECT cid, name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid`, o.name)
			rows("index of "+o.name, `SELECT name, "unique", origin, partial FROM pragma_index_list(?) ORDER BY name`, o.name)
			rows("foreign key "+o.name, `SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq`, o.name)
		case "index":
			rows("index "+o.name, `SELECT tbl_name, sql FROM sqlite_schema WHERE name = ?`, o.name)
			rows("index column "+o.name, `SELECT seqno, cid, name, "desc", coll, "key" FROM pragma_index_xinfo(?) ORDER BY seqno`, o.name)
		}
	}
	rows("version", `SELECT version FROM schema_migrations ORDER BY version`)
	return lines
}

// diffLines lists the lines only in got (-) and only in want (+).
func diffLines(got, want []string) string {
	in := func(lines []string) map[string]bool {
		m := map[string]bool{}
		for _, l := range lines {
			m[l] = true
		}
		return m
	}
	g, w := in(got), in(want)
	var b strings.Builder
	for _, l := range got {
		if !w[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range want {
		if !g[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	if b.Len() == 0 && len(got) != len(want) {
		return fmt.Sprintf("%d lines, want %d", len(got), len(want))
	}
	return b.String()
}
