package control

import (
	"context"
	"net/http"
	"strings"

	"github.com/amplifylite/amplifylite/internal/httpapi"
)

// The console (internal/console) is served under ConsolePath through the
// route table; it enforces the access rules itself (a browser cannot send
// the admin token as a header, so it signs in once and keeps a cookie) and
// reads and steers the plane through the methods below.

// ConsolePath is where the console is served.
const ConsolePath = httpapi.ControlPrefix + "console/"

// SetConsole gives the plane the console's handler; until then its paths
// answer 404.
func (p *Plane) SetConsole(h http.Handler) { p.console = h }

func (p *Plane) serveConsole(w http.ResponseWriter, r *http.Request) error {
	if p.console == nil {
		return errorf(http.StatusNotFound, "NotFoundException", "This server has no console")
	}
	p.console.ServeHTTP(w, r)
	return nil
}

// redirectToConsole answers a browser's GET / (httpapi.IsBrowserRoot): the
// console is the server's front page for people.
func (p *Plane) redirectToConsole(w http.ResponseWriter, r *http.Request) error {
	if p.console == nil {
		return errorf(http.StatusNotFound, "NotFoundException", "This server has no console")
	}
	http.Redirect(w, r, ConsolePath, http.StatusFound)
	return nil
}

// Protected reports whether the control plane requires the admin token.
func (p *Plane) Protected() bool { return p.cfg.Protected }

// CheckAdminToken applies the access rules to a token the console's sign-in
// form received: nil when the plane is open or the token is the admin token.
func (p *Plane) CheckAdminToken(token string) error { return p.checkToken(token, true) }

// Authorized applies the access rules to a request's Authorization header.
func (p *Plane) Authorized(r *http.Request) error { return p.authorize(r, admin) }

// Requests returns up to limit journal entries that keep keeps (nil: all),
// newest first, and the number of requests ever recorded.
func (p *Plane) Requests(limit int, keep func(*Entry) bool) ([]Entry, uint64) {
	var e Entry
	xs, total := p.journal.last(limit, func(x *httpapi.Exchange) bool {
		if keep == nil {
			return true
		}
		e = entryOf(x)
		return keep(&e)
	})
	out := make([]Entry, len(xs))
	for i := range xs {
		out[i] = entryOf(&xs[i])
	}
	return out, total
}

// JournalCapacity is how many requests the journal keeps.
func (p *Plane) JournalCapacity() int { return len(p.journal.ring) }

// Faults returns the fault rules in force, in the order they were added.
func (p *Plane) Faults() []Rule { return p.faults.list() }

// AddFault validates and adds a rule, as POST /_amplifylite/faults does.
func (p *Plane) AddFault(r Rule) (Rule, error) {
	added, err := p.faults.add([]Rule{r}, p.cfg.Now())
	if err != nil {
		return Rule{}, err
	}
	return added[0], nil
}

// RemoveFault removes the rule with the id, or every rule with id "", and
// returns how many it removed.
func (p *Plane) RemoveFault(id string) int { return len(p.faults.remove(id)) }

// StreamEvents serves GET .../events?types=... as Server-Sent Events, as
// GET /_amplifylite/events does.
func (p *Plane) StreamEvents(w http.ResponseWriter, r *http.Request) error {
	return p.streamEvents(w, r)
}

// Build describes the running binary.
func (p *Plane) Build() Build { return p.build }

// RunningJobs counts the RUNNING jobs of every partition; ok is false when
// the store cannot tell.
func (p *Plane) RunningJobs(ctx context.Context) (n int, ok bool) {
	if p.cfg.RunningJobs == nil {
		return 0, false
	}
	n, err := p.cfg.RunningJobs(ctx)
	return n, err == nil
}

// IsConsolePath reports whether path is the console's.
func IsConsolePath(path string) bool { return strings.HasPrefix(path, ConsolePath) }
