package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// queries lists every statement a tx runs; Open prepares them all, because
// parsing SQL costs more than running these small queries. Statements must
// be prepared before any transaction holds the writer's only connection.
var queries []string

// query registers q for preparation at Open and returns it.
func query(q string) string {
	queries = append(queries, q)
	return q
}

// stmts are a pool's prepared statements by query text; read-only once built.
type stmts map[string]*sql.Stmt

func prepare(ctx context.Context, db *sql.DB) (stmts, error) {
	m := make(stmts, len(queries))
	for _, q := range queries {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			m.close()
			return nil, err
		}
		m[q] = st
	}
	return m, nil
}

func (m stmts) close() error {
	var errs []error
	for _, st := range m {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}
