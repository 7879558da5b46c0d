package sqlite

// queries lists every statement a tx runs. Statements are prepared on each
// connection on first use; the list lets a test check that all of them
// compile against the current schema.
var queries []string

// query registers q and returns it.
func query(q string) string {
	queries = append(queries, q)
	return q
}
