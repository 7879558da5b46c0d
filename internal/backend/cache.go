package backend

import (
	"context"
	"sync"
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

// readCache keeps answers of read operations that clients poll (GetBackend,
// GetBackendJob, ListBackendJobs) computed at the current write generation:
// any write through this Service empties it. It is used only when the store
// is not shared with other servers (Config.Shared), whose writes this Service
// would not see. Answers are shared by every caller: never modified.
type readCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[readKey]any
}

// maxCachedAnswers bounds the answers kept at one generation (a client paging
// through a long listing must not fill the memory); later ones are computed
// every time until the next write.
const maxCachedAnswers = 256

// readKey is what decides a cached answer.
type readKey struct {
	op       string // the operation
	p        Partition
	app, env string
	envGiven bool
	q        string // the rest of the request, for operations that have more
}

func (c *readCache) get(gen uint64, k readKey) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return nil, false
	}
	v, ok := c.entries[k]
	return v, ok
}

// put stores v computed at generation gen, unless a write has happened since.
func (c *readCache) put(gen, now uint64, k readKey, v any) {
	if gen != now {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.entries == nil { // the zero cache is at generation 0 with no map
		c.gen, c.entries = gen, make(map[readKey]any)
	}
	if len(c.entries) < maxCachedAnswers {
		c.entries[k] = v
	}
}

// cachedRead answers k from the read cache, or computes the answer and keeps
// it for the callers that ask before the next write. Errors are not kept.
func cachedRead[T any](s *Service, k readKey, compute func() (*T, error)) (*T, error) {
	if s.cache == nil {
		return compute()
	}
	gen := s.gen.Load()
	if v, ok := s.cache.get(gen, k); ok {
		return v.(*T), nil
	}
	out, err := compute()
	if err == nil {
		s.cache.put(gen, s.gen.Load(), k, out)
	}
	return out, err
}
