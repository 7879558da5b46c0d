// Package backend is the domain of amplifylite: apps, environments, auth, API
// and storage resources, asynchronous jobs, challenge tokens and Admin UI
// config, partitioned by (account, region). It implements every operation of
// the API on top of a Store; the HTTP edge lives in internal/httpapi.
package backend

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Config tunes the domain's behaviour.
type Config struct {
	// JobDuration is how long a job stays RUNNING before the runner finishes
	// it. 0 finishes it as soon as the runner picks it up.
	JobDuration time.Duration
	// TokenTTL is the lifetime of a challenge token (default 600 s).
	TokenTTL time.Duration
	// Buckets are pre-existing bucket names listed by ListS3Buckets in every
	// partition.
	Buckets []string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Models generates the DataStore models and the model introspection
	// schema from a transform schema. It also validates schemas of
	// Create/UpdateBackendAPI jobs. Nil: schemas are only parsed, and model
	// generation jobs fail saying the generator is not available.
	Models ModelGenerator
	// Shared tells that other servers write to the same store, so reads
	// must not be cached.
	Shared bool
	// OnJob, when set, is told of every job this Service creates or
	// finishes, after the change is committed (events.go). It runs on the
	// caller's goroutine and must be quick.
	OnJob func(JobEvent)
}

// ModelGenerator turns an Amplify GraphQL transform schema into the text of
// the DataStore schema.js and the model introspection JSON. Its errors are
// shown to clients, so they name the line and column at fault.
type ModelGenerator func(schema string) (models, introspection string, err error)

// Service implements the API's operations.
type Service struct {
	// store is the Store for reading. Every write goes through update
	// (cache.go), the one caller of write, so that no write can bypass the
	// read cache's invalidation.
	store  reader
	write  func(ctx context.Context, fn func(Tx) error) error
	cfg    Config
	secret []byte
	wake   chan struct{}
	woken  wakeReason    // why wake was signalled, see WokenDue
	gen    atomic.Uint64 // write generation, see update
	policy jobPolicy     // how jobs finish (jobcontrol.go)
	cache  *readCache    // nil when the store is shared
	envs   *envIndex     // nil when the store is shared
	// browsed caches Browse's reads (browse.go), when cache is set.
	browsed browseCache
}

// New returns a Service on store. It records the configured buckets.
func New(ctx context.Context, store Store, cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 600 * time.Second
	}
	secret, err := store.Secret(ctx)
	if err != nil {
		return nil, fmt.Errorf("load secret: %w", err)
	}
	s := &Service{store: store, write: store.Update, cfg: cfg, secret: secret, wake: make(chan struct{}, 1)}
	if !cfg.Shared {
		s.cache, s.envs = &readCache{}, &envIndex{}
	}
	s.policy.p = JobPolicy{Mode: JobsAuto, Duration: cfg.JobDuration}
	if len(cfg.Buckets) > 0 {
		now := s.now()
		err := s.update(ctx, func(tx Tx) error {
			for _, name := range cfg.Buckets {
				if err := tx.EnsureSharedBucket(&Bucket{Name: name, Created: now}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("record configured buckets: %w", err)
		}
	}
	return s, nil
}

// Woken receives a value whenever a job is created, so that a runner waiting
// for the next due job can look again.
func (s *Service) Woken() <-chan struct{} { return s.wake }

// notify wakes the runner for a full look: due times may have changed.
func (s *Service) notify() { s.notifyDue(time.Time{}) }

// notifyDue wakes the runner about a job created due at due; the zero due
// asks for a full look.
func (s *Service) notifyDue(due time.Time) {
	s.woken.add(due)
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// WokenDue tells a runner that Woken has woken what the wake-ups since the
// last call were about: when all were jobs created, ok and the earliest of
// their due times (zero when there was none), so that a runner already set
// to look by then need not look now; otherwise (a full look is needed) not ok.
func (s *Service) WokenDue() (due time.Time, ok bool) { return s.woken.take() }

// wakeReason accumulates the wake-ups a runner has not yet asked about.
type wakeReason struct {
	mu   sync.Mutex
	due  time.Time // the earliest due time notified
	full bool      // a wake-up that needs a full look
}

func (w *wakeReason) add(due time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case due.IsZero():
		w.full = true
	case w.due.IsZero() || due.Before(w.due):
		w.due = due
	}
}

func (w *wakeReason) take() (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	due, full := w.due, w.full
	w.due, w.full = time.Time{}, false
	return due, !full
}

// now returns the current time in UTC, truncated to milliseconds: the
// resolution every time on the wire has.
func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Millisecond) }

// newID returns a job id or token session id: a UUID of version 4's shape
// (as AWS's are) whose first 48 bits are the Unix time in milliseconds and
// whose other 74 free bits are random. Ids created in turn sort together, so
// each write touches the same end of the stores' indexes instead of a random
// page of them: fewer pages written per commit.
func newID() string {
	var u uuid.UUID
	rand.Read(u[6:])
	ms := uint64(time.Now().UnixMilli())
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

// challengeCode returns six uniformly random digits from the CSPRNG.
func challengeCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return fmt.Sprintf("%06d", n.Int64())
}
