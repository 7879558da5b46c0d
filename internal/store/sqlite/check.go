package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Integrity checks. Open checks a database file that already exists before
// it reads or migrates it, so that damage stops the start instead of
// failing a share of the requests later: first the WAL scan (walDamage),
// then, through the WAL, PRAGMA quick_check when the file and its WAL
// together are at most quickCheckMax bytes, else walkBTrees. Per GiB on a
// 2-CPU VM (bench/bigdb builds the databases; BenchmarkOpen/big measures),
// from the page cache / from disk: quick_check reads every page and checks
// every cell, 0.9–2.1 s / 8–27 s; walkBTrees reads only table and index
// pages, without checking cells, 0.2–0.9 s / 2.6–4.4 s. Up to quickCheckMax,
// quick_check adds at most about 0.15 s / 1.5 s. Check runs the complete
// PRAGMA integrity_check for `amplifylite check`.

// quickCheckMax is the largest database, main file and WAL together, that
// Open checks with PRAGMA quick_check.
var quickCheckMax atomic.Int64

func init() { quickCheckMax.Store(64 << 20) }

// DamagedError reports a database file that fails an integrity check.
type DamagedError struct {
	Path     string   // the database file, absolute
	Check    string   // what found the damage: "WAL scan", "quick_check", "b-tree walk", "integrity_check" or "open"
	Problems []string // what it found, in SQLite's words
}

// Error names the file, summarises the problems and says what to do.
func (e *DamagedError) Error() string {
	return fmt.Sprintf("database %s is damaged (%s: %s): restore it from a backup or a snapshot, "+
		"or move it aside (with its -wal and -shm files) to start with an empty database; "+
		"`amplifylite check --data-dir %s` reports every problem",
		e.Path, e.Check, summary(e.Problems, 3), filepath.Dir(e.Path))
}

// summary joins the first n problems on one line.
func summary(problems []string, n int) string {
	var parts []string
	for i, p := range problems {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(problems)-n))
			break
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// verify checks the existing database file s.file before Open uses it and
// returns a *DamagedError when it is damaged.
func (s *Store) verify(ctx context.Context) error {
	if p, err := walDamage(s.file + "-wal"); err != nil {
		return fmt.Errorf("scan WAL: %w", err)
	} else if p != "" {
		return &DamagedError{Path: s.file, Check: "WAL scan", Problems: []string{p}}
	}
	check := "quick_check"
	if fileSize(s.file)+fileSize(s.file+"-wal") > quickCheckMax.Load() {
		check = "b-tree walk"
	}
	var problems []string
	// On a reader, which then serves the first reads warm (its schema is
	// parsed); the writer opens on the first write.
	c, err := s.readers.get(ctx) // opening a connection may read the file already
	if err == nil {
		if check == "quick_check" {
			problems, err = pragmaCheck(ctx, c, check)
		} else {
			problems, err = walkBTrees(ctx, c)
		}
		s.readers.put(c, err != nil)
	}
	if corrupt(err) {
		problems, err = []string{err.Error()}, nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", check, err)
	}
	if len(problems) > 0 {
		problems = append(headerProblems(s.file), problems...)
	}
	if len(problems) > 0 {
		return &DamagedError{Path: s.file, Check: check, Problems: problems}
	}
	return nil
}

// Check runs SQLite's complete PRAGMA integrity_check, and the WAL scan, on
// the database file at path, for a server that is stopped. It creates no
// database and changes none: the file is opened read-only, through its WAL
// when there is one, and without one as immutable, so that no -wal or -shm
// file is left beside it. It returns nil when the database is sound, a
// *DamagedError when it is not, and another error (wrapping fs.ErrNotExist
// when there is no file) when it could not check.
func Check(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", abs)
	}
	var problems []string
	check := "integrity_check"
	if p, err := walDamage(abs + "-wal"); err != nil {
		return fmt.Errorf("scan WAL: %w", err)
	} else if p != "" {
		check, problems = "WAL scan", []string{p}
	}
	mode := "immutable=1"
	if _, err := os.Lstat(abs + "-wal"); err == nil {
		mode = "mode=ro"
	}
	db, err := sql.Open("sqlite", dsn(abs)+"?"+mode+"&_busy_timeout=10000")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	found, err := pragmaCheck(ctx, db, "integrity_check")
	if corrupt(err) {
		found, err = []string{err.Error()}, nil
	}
	if err != nil {
		return fmt.Errorf("integrity_check: %w", err)
	}
	if len(found) > 0 {
		check, problems = "integrity_check", append(append(problems, headerProblems(abs)...), found...)
	}
	if len(problems) > 0 {
		return &DamagedError{Path: abs, Check: check, Problems: problems}
	}
	return db.Close()
}

// headerProblems explains two common kinds of damage that SQLite reports
// only as a malformed image: a file that is not a database at all, and one
// shorter than its header says (a truncated copy). Only when there is no
// WAL, whose frames may hold pages the main file does not have yet.
func headerProblems(path string) []string {
	if fileSize(path+"-wal") > 0 {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	hdr := make([]byte, 100)
	if n, _ := io.ReadFull(f, hdr); n < len(hdr) || !bytes.HasPrefix(hdr, []byte("SQLite format 3\x00")) {
		return []string{"the file does not start with the SQLite header: it is not a database file"}
	}
	pageSize := int64(binary.BigEndian.Uint16(hdr[16:]))
	if pageSize == 1 {
		pageSize = 65536
	}
	pages := int64(binary.BigEndian.Uint32(hdr[28:]))
	// The page count is valid when written by the same change as the counter.
	if bytes.Equal(hdr[24:28], hdr[92:96]) && pages*pageSize > fi.Size() {
		return []string{fmt.Sprintf("the file is truncated: its header counts %d pages of %d bytes (%d bytes), the file has %d bytes",
			pages, pageSize, pages*pageSize, fi.Size())}
	}
	return nil
}

// querier runs queries: a *sql.DB or a *sql.Conn.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// pragmaCheck runs PRAGMA quick_check or integrity_check and returns the
// problems it reports, none when the database is sound.
func pragmaCheck(ctx context.Context, db querier, pragma string) ([]string, error) {
	rows, err := db.QueryContext(ctx, "PRAGMA "+pragma)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		for _, line := range strings.Split(s, "\n") { // a row may hold several
			if line != "" && line != "*** in database main ***" {
				out = append(out, line)
			}
		}
	}
	if err := rows.Err(); corrupt(err) && len(out) > 0 {
		// It can stop at damage it cannot step over, after reporting some.
		return append(out, err.Error()), nil
	} else if err != nil {
		return nil, err
	}
	if len(out) == 1 && out[0] == "ok" {
		return nil, nil
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("PRAGMA %s returned nothing", pragma)
	}
	return out, nil
}

// walkBTrees reads every page of every table and index b-tree, except
// overflow pages, by counting the entries of each through it, and compares
// each full index's count with its table's. It finds damaged b-tree pages,
// which fail the reads that cross them, but not damage inside a page's cells
// or on overflow and free pages, which quick_check also finds.
func walkBTrees(ctx context.Context, db querier) ([]string, error) {
	type btree struct {
		typ, name, table, sql string
		root                  int64
	}
	rows, err := db.QueryContext(ctx, `SELECT type, name, tbl_name, rootpage, coalesce(sql, '') FROM sqlite_schema
		WHERE type IN ('table', 'index') AND rootpage > 0 ORDER BY type DESC, name`) // tables first
	if err != nil {
		return nil, err
	}
	var trees []btree
	for rows.Next() {
		var b btree
		if err := rows.Scan(&b.typ, &b.name, &b.table, &b.root, &b.sql); err != nil {
			rows.Close()
			return nil, err
		}
		trees = append(trees, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var problems []string
	walked := map[int64]bool{} // a WITHOUT ROWID table and its primary key share one b-tree
	counts := map[string]int64{}
	for _, b := range trees {
		if walked[b.root] {
			continue
		}
		walked[b.root] = true
		// count(*) without WHERE reads the smallest b-tree of the table,
		// whatever INDEXED BY says: a WHERE makes it scan the one named.
		q := `SELECT count(*) FROM ` + quoteName(b.name) + ` NOT INDEXED`
		where := ""
		if b.typ == "index" {
			q = `SELECT count(*) FROM ` + quoteName(b.table) + ` INDEXED BY ` + quoteName(b.name) + ` WHERE `
			if where = partialWhere(b.sql); where != "" {
				q += where
			} else {
				q += `1`
			}
		}
		var n int64
		err := db.QueryRowContext(ctx, q).Scan(&n)
		switch {
		case corrupt(err):
			problems = append(problems, fmt.Sprintf("%s %s: %v", b.typ, b.name, err))
			continue
		case err != nil:
			return nil, fmt.Errorf("%s %s: %w", b.typ, b.name, err)
		}
		if b.typ == "table" {
			counts[b.name] = n
		} else if rows, ok := counts[b.table]; ok && where == "" && n != rows {
			problems = append(problems, fmt.Sprintf("index %s has %d entries, table %s %d rows", b.name, n, b.table, rows))
		}
	}
	return problems, nil
}

// partialWhere returns the condition of a partial index, given the CREATE
// INDEX statement: what follows WHERE after the parenthesised column list.
func partialWhere(create string) string {
	depth, seen := 0, false
	for i := 0; i < len(create); i++ {
		switch ch := create[i]; ch {
		case '\'', '"', '`', '[':
			end := ch
			if ch == '[' {
				end = ']'
			}
			j := strings.IndexByte(create[i+1:], end)
			if j < 0 {
				return ""
			}
			i += j + 1
		case '(':
			depth++
			seen = true
		case ')':
			depth--
			if depth == 0 && seen {
				rest := strings.TrimSpace(create[i+1:])
				if len(rest) > 5 && strings.EqualFold(rest[:5], "WHERE") {
					return strings.TrimSpace(rest[5:])
				}
				return ""
			}
		}
	}
	return ""
}

// quoteName quotes an SQL identifier.
func quoteName(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// corrupt reports whether err is SQLite finding a damaged database or a
// file that is not one.
func corrupt(err error) bool {
	var e *msqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// fileSize returns the size of the file at path, 0 when there is none.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
