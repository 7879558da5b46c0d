package control

import (
	"net/http"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// Build describes the running binary, from the build information the Go
// toolchain embeds.
type Build struct {
	// Version is the module version the binary was built at (a release tag,
	// or a pseudo-version made from the VCS revision), else the version
	// given with -ldflags.
	Version      string `json:"version"`
	Module       string `json:"module,omitempty"`
	Revision     string `json:"revision,omitempty"` // VCS revision (git commit)
	RevisionTime string `json:"revisionTime,omitempty"`
	Modified     bool   `json:"modified,omitempty"` // built from a work tree with changes
	GoVersion    string `json:"goVersion"`
}

// buildInfo is the binary's build information, read once: parsing it is
// ~30 k instructions, and a start asked for it three times before its
// first answer (the plane, the start's log line, the health answer).
var buildInfo = sync.OnceValues(debug.ReadBuildInfo)

// ReadBuild returns the running binary's Build; fallback is the version
// given with -ldflags, used when the module has no version ("(devel)").
func ReadBuild(fallback string) Build {
	b := Build{Version: fallback, GoVersion: runtime.Version()}
	info, ok := buildInfo()
	if !ok {
		return b
	}
	b.Module = info.Main.Path
	if v := info.Main.Version; v != "" && v != "(devel)" {
		b.Version = v
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.RevisionTime = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// String is the version as `amplifylite version` prints it.
func (b Build) String() string {
	s := b.Version
	if b.Revision != "" {
		rev := b.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		s += " (" + rev
		if b.Modified {
			s += ", modified"
		}
		if b.RevisionTime != "" {
			s += ", " + b.RevisionTime
		}
		s += ")"
	}
	return s + " " + b.GoVersion
}

// health answers GET /_amplifylite/health with Config.Health's report, or
// 503 ServiceUnavailableException.
func (p *Plane) health(w http.ResponseWriter, r *http.Request) error {
	if p.cfg.Health == nil {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": p.build.Version, "store": p.cfg.Store})
		return nil
	}
	v, err := p.cfg.Health(r.Context())
	if err != nil {
		return errorf(http.StatusServiceUnavailable, "ServiceUnavailableException", "%s", err.Error())
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// Info is the answer of GET /_amplifylite/info.
type Info struct {
	Build
	StartTime     time.Time      `json:"startTime"`
	UptimeSeconds float64        `json:"uptimeSeconds"`
	Store         string         `json:"store"`
	Counts        map[string]any `json:"counts"`
}

// info answers GET /_amplifylite/info. The counts are the running jobs (when
// the store can count them; null otherwise), the requests answered since the
// start, the fault rules in force and the event subscribers.
func (p *Plane) info(w http.ResponseWriter, r *http.Request) error {
	_, total := p.journal.last(0, nil)
	counts := map[string]any{
		"requests":         total,
		"faultRules":       p.faults.active.Load(),
		"eventSubscribers": p.events.count.Load(),
	}
	if p.cfg.RunningJobs != nil {
		counts["runningJobs"] = nil
		if n, err := p.cfg.RunningJobs(r.Context()); err == nil {
			counts["runningJobs"] = n
		} else {
			p.cfg.Logger.Warn("info: count running jobs", "err", err)
		}
	}
	now := p.cfg.Now()
	writeJSON(w, http.StatusOK, Info{Build: p.build, StartTime: p.started.UTC(), UptimeSeconds: now.Sub(p.started).Seconds(),
		Store: p.cfg.Store, Counts: counts})
	return nil
}
