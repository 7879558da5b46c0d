package backend

import (
	"context"
	"sync"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
)

// reader is the part of the Store the domain reads through.
type reader interface {
	View(ctx context.Context, fn func(Tx) error) error
}

// update runs fn in a write transaction and then moves the write generation
// on, which invalidates every cached read. It is the only way the domain
// writes (TestUpdate_TheOnlyWriter).
func (s *Service) update(ctx context.Context, fn func(Tx) error) error {
	err := s.write(ctx, fn)
	s.gen.Add(1)
	return err
}

// readCache keeps GetBackend answers computed at the current write
// generation: any write through this Service empties it. It is used only when
// the store is not shared with other servers (Config.Shared), whose writes this
// Service would not see.
type readCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[readKey]*ab.GetBackendResponse
}

type readKey struct {
	p        Partition
	app, env string
	envGiven bool
}

func (c *readCache) get(gen uint64, k readKey) (*ab.GetBackendResponse, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return nil, false
	}
	v, ok := c.entries[k]
	return v, ok
}

// put stores v computed at generation gen, unless a write has happened since.
func (c *readCache) put(gen, now uint64, k readKey, v *ab.GetBackendResponse) {
	if gen != now {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.entries == nil { // the zero cache is at generation 0 with no map
		c.gen, c.entries = gen, make(map[readKey]*ab.GetBackendResponse)
	}
	c.entries[k] = v
}
