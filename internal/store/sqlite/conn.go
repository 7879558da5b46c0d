package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
)

// errClosed is returned by calls on a closed Store.
var errClosed = errors.New("sqlite: store closed")

// conn is one database connection with the statements prepared on it so
// far. Statements are prepared on first use and kept: parsing SQL costs more
// than running these small queries. One goroutine uses a conn at a time.
type conn struct {
	*sql.Conn
	stmts map[string]*sql.Stmt
}

// stmt returns q prepared on c.
func (c *conn) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := c.stmts[q]; ok {
		return st, nil
	}
	st, err := c.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.stmts[q] = st
	return st, nil
}

// exec runs q, prepared, on c.
func (c *conn) exec(ctx context.Context, q string, args ...any) error {
	st, err := c.stmt(ctx, q)
	if err == nil {
		_, err = st.ExecContext(ctx, args...)
	}
	return err
}

// close closes c's statements and returns the connection to its sql.DB;
// discard also makes the sql.DB close it rather than keep it.
func (c *conn) close(discard bool) {
	for _, st := range c.stmts {
		st.Close()
	}
	if discard {
		c.Raw(func(any) error { return driver.ErrBadConn })
	}
	c.Conn.Close()
}

// pool lends up to cap(slots) long-lived conns of db, opening them on demand.
type pool struct {
	db    *sql.DB
	idle  chan *conn
	slots chan struct{} // one per open conn

	mu     sync.Mutex
	closed bool
}

func newPool(db *sql.DB, size int) *pool {
	db.SetMaxOpenConns(size)
	db.SetMaxIdleConns(size)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return &pool{db: db, idle: make(chan *conn, size), slots: make(chan struct{}, size)}
}

// get returns an idle conn, or a new one while fewer than the pool's size
// are open, or waits for one to be put back.
func (p *pool) get(ctx context.Context) (*conn, error) {
	select {
	case c := <-p.idle:
		return c, nil
	default:
	}
	select {
	case c := <-p.idle:
		return c, nil
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		<-p.slots
		return nil, errClosed
	}
	sc, err := p.db.Conn(ctx)
	if err != nil {
		<-p.slots
		return nil, err
	}
	return &conn{Conn: sc, stmts: map[string]*sql.Stmt{}}, nil
}

// put gives c back; a broken conn (or any, once the pool is closed) is
// closed instead.
func (p *pool) put(c *conn, broken bool) {
	p.mu.Lock()
	if !broken && !p.closed {
		p.idle <- c // never blocks: at most cap(idle) conns exist
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	c.close(broken)
	<-p.slots
}

// close closes the idle conns and those put back later, then the sql.DB.
func (p *pool) close() error {
	p.mu.Lock()
	p.closed = true
	for len(p.idle) > 0 {
		(<-p.idle).close(false)
		<-p.slots
	}
	p.mu.Unlock()
	return p.db.Close()
}
