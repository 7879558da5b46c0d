package console

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/control"
)

// Actions are POST forms. Each is checked against cross-site request
// forgery, calls the domain or the control plane as the API and the control
// plane's endpoints do, and returns to the page it came from (the form's
// "back") with a message saying what happened.

type action func(r *http.Request) (string, error)

func (c *Console) actions() map[string]action {
	return map[string]action{
		"create-backend": c.createBackend,
		"clone-backend":  c.cloneBackend,
		"delete-backend": c.deleteBackend,
		"remove-all":     c.removeAll,
		"job":            c.forceJob,
		"jobs-config":    c.jobsConfig,
		"fault-add":      c.addFault,
		"fault-remove":   c.removeFault,
		"reset":          c.reset,
		"import":         c.importState,
	}
}

func (c *Console) act(a action) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		limit := int64(1 << 20)
		if strings.HasSuffix(r.URL.Path, "/import") {
			limit = control.MaxSnapshotBytes
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := c.checkCSRF(r); err != nil {
			c.fail(w, r, err)
			return
		}
		msg, err := a(r)
		if err != nil {
			if statusOf(err) == http.StatusInternalServerError {
				c.cfg.Logger.Error("console action", "path", r.URL.Path, "err", err)
			}
			c.setFlash(w, "error", messageOf(err))
		} else {
			c.setFlash(w, "ok", msg)
		}
		http.Redirect(w, r, safeNext(r.FormValue("back")), http.StatusSeeOther)
	}
}

// regionRE is compiled on first use, not at every process start (its
// bounded repetition makes a large program).
var regionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`) })

// partitionOf reads and checks a form's account and region.
func partitionOf(r *http.Request) (backend.Partition, error) {
	p := backend.Partition{Account: strings.TrimSpace(r.FormValue("account")), Region: strings.TrimSpace(r.FormValue("region"))}
	if len(p.Account) != 12 || strings.Trim(p.Account, "0123456789") != "" {
		return p, badInput("The account must be a 12-digit AWS account id, not %q", p.Account)
	}
	if !regionRE().MatchString(p.Region) {
		return p, badInput("The region must be a region name such as us-east-1, not %q", p.Region)
	}
	return p, nil
}

// target reads a form's partition and the values it must have.
func target(r *http.Request, names ...string) (backend.Partition, []string, error) {
	p, err := partitionOf(r)
	if err != nil {
		return p, nil, err
	}
	v, err := required(r, names...)
	return p, v, err
}

// required reads form values that must not be empty.
func required(r *http.Request, names ...string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = r.FormValue(n)
		if out[i] == "" {
			return nil, badInput("The form needs a value for %s", n)
		}
	}
	return out, nil
}

func jobMessage(what string, status, id *string) string {
	return fmt.Sprintf("%s: job %s is %s", what, deref(id), deref(status))
}

func (c *Console) createBackend(r *http.Request) (string, error) {
	p, v, err := target(r, "app", "env")
	if err != nil {
		return "", err
	}
	name := r.FormValue("name")
	if name == "" {
		name = v[0]
	}
	in := &ab.CreateBackendRequest{AppId: &v[0], AppName: &name, BackendEnvironmentName: &v[1]}
	if err := in.Validate(); err != nil {
		return "", badInput("%v", err)
	}
	out, err := c.cfg.Domain.CreateBackend(r.Context(), p, in)
	if err != nil {
		return "", err
	}
	return jobMessage("CreateBackend "+v[0]+"/"+v[1], out.Status, out.JobId), nil
}

func (c *Console) cloneBackend(r *http.Request) (string, error) {
	p, v, err := target(r, "app", "env", "target")
	if err != nil {
		return "", err
	}
	out, err := c.cfg.Domain.CloneBackend(r.Context(), p, &ab.CloneBackendRequest{AppId: &v[0], BackendEnvironmentName: &v[1], TargetEnvironmentName: &v[2]})
	if err != nil {
		return "", err
	}
	return jobMessage("CloneBackend "+v[1]+" → "+v[2], out.Status, out.JobId), nil
}

func (c *Console) deleteBackend(r *http.Request) (string, error) {
	p, v, err := target(r, "app", "env")
	if err != nil {
		return "", err
	}
	out, err := c.cfg.Domain.DeleteBackend(r.Context(), p, &ab.DeleteBackendRequest{AppId: &v[0], BackendEnvironmentName: &v[1]})
	if err != nil {
		return "", err
	}
	return jobMessage("DeleteBackend "+v[0]+"/"+v[1], out.Status, out.JobId), nil
}

func (c *Console) removeAll(r *http.Request) (string, error) {
	p, v, err := target(r, "app")
	if err != nil {
		return "", err
	}
	if r.FormValue("confirm") != v[0] {
		return "", badInput("Type the app id %s to confirm removing all of its backends", v[0])
	}
	clean := r.FormValue("clean") != ""
	out, err := c.cfg.Domain.RemoveAllBackends(r.Context(), p, &ab.RemoveAllBackendsRequest{AppId: &v[0], CleanAmplifyApp: &clean})
	if err != nil {
		return "", err
	}
	return jobMessage("RemoveAllBackends "+v[0], out.Status, out.JobId), nil
}

// forceJob finishes a RUNNING job now, as UpdateBackendJob does.
func (c *Console) forceJob(r *http.Request) (string, error) {
	p, v, err := target(r, "app", "env", "job", "status")
	if err != nil {
		return "", err
	}
	out, err := c.cfg.Domain.UpdateBackendJob(r.Context(), p, &ab.UpdateBackendJobRequest{AppId: &v[0], BackendEnvironmentName: &v[1], JobId: &v[2], Status: &v[3]})
	if err != nil {
		return "", err
	}
	msg := fmt.Sprintf("Job %s (%s) is now %s", short(v[2]), deref(out.Operation), deref(out.Status))
	if out.Error != nil {
		msg += ": " + *out.Error
	}
	return msg, nil
}

func (c *Console) jobsConfig(r *http.Request) (string, error) {
	pol := c.cfg.Domain.JobPolicy()
	pol.Mode = backend.JobMode(r.FormValue("mode"))
	d, err := time.ParseDuration(strings.TrimSpace(r.FormValue("duration")))
	if err != nil {
		return "", badInput("Duration: %v (write e.g. 1s, 250ms, 2m)", err)
	}
	pol.Duration = d
	pol.Durations = map[string]time.Duration{}
	for i, line := range strings.Split(r.FormValue("durations"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		op, dur, ok := strings.Cut(line, "=")
		if !ok {
			return "", badInput("Durations, line %d: write Operation=duration, e.g. GenerateBackendAPIModels=5s", i+1)
		}
		d, err := time.ParseDuration(strings.TrimSpace(dur))
		if err != nil {
			return "", badInput("Durations, line %d: %v", i+1, err)
		}
		pol.Durations[strings.TrimSpace(op)] = d
	}
	if err := c.cfg.Domain.SetJobPolicy(pol); err != nil {
		return "", err
	}
	return "Jobs now finish: " + policyText(c.cfg.Domain.JobPolicy()), nil
}

func policyText(p backend.JobPolicy) string {
	if p.Mode == backend.JobsManual {
		return "manual (only when told)"
	}
	return "auto, after " + p.Duration.String()
}

func (c *Console) addFault(r *http.Request) (string, error) {
	rule := control.Rule{Description: r.FormValue("description"), Operation: r.FormValue("operation"),
		Account: strings.TrimSpace(r.FormValue("account")), Region: strings.TrimSpace(r.FormValue("region")),
		AppID: r.FormValue("appId")}
	if v := strings.TrimSpace(r.FormValue("probability")); v != "" {
		pct, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
		if err != nil {
			return "", badInput("Probability must be a percentage, e.g. 25")
		}
		pct /= 100
		rule.Probability = &pct
	}
	if v := strings.TrimSpace(r.FormValue("count")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return "", badInput("Count must be a whole number")
		}
		rule.Count = &n
	}
	if v := strings.TrimSpace(r.FormValue("latency")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return "", badInput("Latency must be a number of milliseconds")
		}
		rule.LatencyMs = n
	}
	if code := strings.TrimSpace(r.FormValue("code")); code != "" {
		st, err := strconv.Atoi(strings.TrimSpace(r.FormValue("statusCode")))
		if err != nil {
			return "", badInput("The error needs an HTTP status code, e.g. 429")
		}
		rule.Error = &control.RuleError{StatusCode: st, Code: code, Message: r.FormValue("message")}
	}
	added, err := c.cfg.Plane.AddFault(rule)
	if err != nil {
		return "", err
	}
	return "Fault rule " + added.ID + " added", nil
}

func (c *Console) removeFault(r *http.Request) (string, error) {
	id := r.FormValue("id")
	n := c.cfg.Plane.RemoveFault(id)
	switch {
	case id == "":
		return fmt.Sprintf("Removed every fault rule (%d)", n), nil
	case n == 0:
		return "", notFound("No fault rule %s (it may have run out)", id)
	}
	return "Fault rule " + id + " removed", nil
}

func (c *Console) reset(r *http.Request) (string, error) {
	if strings.TrimSpace(r.FormValue("confirm")) != "reset" {
		return "", badInput("Nothing was removed: type reset in the confirmation box to confirm")
	}
	sc := backend.Scope{Account: strings.TrimSpace(r.FormValue("account")), Region: strings.TrimSpace(r.FormValue("region")), AppID: r.FormValue("appId")}
	n, err := c.cfg.Domain.Reset(r.Context(), sc)
	if err != nil {
		return "", err
	}
	return "Reset: removed " + countsText(n), nil
}

func countsText(n backend.RecordCounts) string {
	return fmt.Sprintf("%s, %s, %s, %s, %s, %s", pluralize(n.Apps, "app", "apps"), pluralize(n.Environments, "environment", "environments"),
		pluralize(n.Resources, "resource", "resources"), pluralize(n.Jobs, "job", "jobs"), pluralize(n.Tokens, "token", "tokens"),
		pluralize(n.Buckets, "bucket", "buckets"))
}

func (c *Console) importState(r *http.Request) (string, error) {
	mode := backend.ImportMode(r.FormValue("mode"))
	if mode != backend.ImportMerge && mode != backend.ImportReplace {
		return "", badInput("Mode must be merge or replace")
	}
	f, _, err := r.FormFile("snapshot")
	if err != nil {
		return "", badInput("Choose a snapshot file to import")
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		return "", badInput("The snapshot could not be read: %v", err)
	}
	snap, err := control.DecodeSnapshot(raw)
	if err != nil {
		return "", badInput("%v", err)
	}
	n, err := c.cfg.Domain.Import(r.Context(), snap, mode)
	if err != nil {
		return "", err
	}
	return "Imported (" + string(mode) + "): " + countsText(n), nil
}

// download answers GET .../state: a snapshot file of the scope the query
// selects, as GET /_amplifylite/state exports it.
func (c *Console) download(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	snap, err := c.cfg.Domain.Export(r.Context(), backend.Scope{Account: q.Get("account"), Region: q.Get("region"), AppID: q.Get("appId")})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	snap.Amplifylite = c.cfg.Plane.Build().Version
	name := "amplifylite-state-" + c.cfg.Now().UTC().Format("20060102-150405") + ".json"
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(snap); err != nil {
		c.cfg.Logger.Warn("console: snapshot download", "err", err)
	}
}
