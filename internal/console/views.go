package console

import (
	"net/http"
	"slices"
	"strconv"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/control"
)

// Every page's data is read here; templates only lay it out.

// jobsPerPage is the jobs view's page size.
const jobsPerPage = 50

// requestsShown is how many journal entries the requests view lists.
const requestsShown = 200

// filterOf reads the common query parameters.
func filterOf(r *http.Request) backend.BrowseFilter {
	q := r.URL.Query()
	return backend.BrowseFilter{Account: q.Get("account"), Region: q.Get("region"), AppID: q.Get("app"),
		Environment: q.Get("env"), Operation: q.Get("operation"), Status: q.Get("status")}
}

type overviewData struct {
	Partitions []backend.PartitionSummary
	Apps       int
	Envs       int
	Resources  int
	Jobs       backend.JobCounts
	Failed     []backend.JobListing // the most recent failed jobs
	Policy     backend.JobPolicy
	Faults     int
	Requests   uint64
	Running    int
}

func (c *Console) overview(r *http.Request) (*view, error) {
	b, err := c.cfg.Domain.Browse(r.Context(), backend.BrowseFilter{Status: backend.StatusFailed}, backend.BrowseOptions{Jobs: true})
	if err != nil {
		return nil, err
	}
	d := overviewData{Partitions: b.Partitions, Policy: c.cfg.Domain.JobPolicy(), Faults: len(c.cfg.Plane.Faults())}
	_, d.Requests = c.cfg.Plane.Requests(0, nil)
	for _, p := range b.Partitions {
		d.Apps += p.Apps
		d.Envs += p.Environments
		d.Resources += p.Resources
		d.Jobs.Running += p.Jobs.Running
		d.Jobs.Completed += p.Jobs.Completed
		d.Jobs.Failed += p.Jobs.Failed
	}
	d.Failed = b.Jobs[:min(len(b.Jobs), 5)]
	return &view{Title: "Overview", Nav: "overview", Template: "overview", Live: "job", Data: d}, nil
}

type partitionApps struct {
	backend.PartitionSummary
	AppList []backend.AppSummary
}

type appsData struct {
	Filter        backend.BrowseFilter
	Partitions    []partitionApps
	DefaultRegion string
	Accounts      []string
}

func (c *Console) apps(r *http.Request) (*view, error) {
	f := filterOf(r)
	b, err := c.cfg.Domain.Browse(r.Context(), backend.BrowseFilter{Account: f.Account, Region: f.Region}, backend.BrowseOptions{})
	if err != nil {
		return nil, err
	}
	d := appsData{Filter: f, DefaultRegion: c.cfg.DefaultRegion}
	for _, p := range b.Partitions {
		d.Partitions = append(d.Partitions, partitionApps{PartitionSummary: p, AppList: b.Apps[p.Partition]})
		if !slices.Contains(d.Accounts, p.Account) {
			d.Accounts = append(d.Accounts, p.Account)
		}
	}
	return &view{Title: "Apps", Nav: "apps", Template: "apps", Live: "job", Data: d,
		Crumbs: []crumb{{"Apps", ""}}}, nil
}

// appOf reads one app and its jobs (newest first) for the app, env and
// models views.
func (c *Console) appOf(r *http.Request, jobs bool) (backend.Partition, *backend.AppSummary, []backend.JobListing, error) {
	f := filterOf(r)
	if f.Account == "" || f.Region == "" || f.AppID == "" {
		return backend.Partition{}, nil, nil, badInput("This page needs account, region and app in its address")
	}
	p := backend.Partition{Account: f.Account, Region: f.Region}
	b, err := c.cfg.Domain.Browse(r.Context(), backend.BrowseFilter{Account: f.Account, Region: f.Region, AppID: f.AppID},
		backend.BrowseOptions{Jobs: jobs})
	if err != nil {
		return p, nil, nil, err
	}
	apps := b.Apps[p]
	if len(apps) == 0 {
		return p, nil, nil, notFound("No app %s in account %s, region %s", f.AppID, f.Account, f.Region)
	}
	return p, &apps[0], b.Jobs, nil
}

type appData struct {
	P    backend.Partition
	App  *backend.AppSummary
	Jobs []backend.JobListing
}

func (c *Console) app(r *http.Request) (*view, error) {
	p, app, jobs, err := c.appOf(r, true)
	if err != nil {
		return nil, err
	}
	d := appData{P: p, App: app, Jobs: jobs[:min(len(jobs), 10)]}
	return &view{Title: appTitle(app), Nav: "apps", Template: "app", Live: "job", Data: d, Crumbs: []crumb{
		{"Apps", link("apps")}, {p.Account + " · " + p.Region, link("apps", "account", p.Account, "region", p.Region)},
		{appTitle(app), ""}}}, nil
}

func appTitle(a *backend.AppSummary) string {
	if a.Name != "" {
		return a.Name
	}
	return a.ID
}

type authView struct {
	Name     string
	Imported bool
	Cfg      *ab.CreateBackendAuthResourceConfig
	Err      string
}

type apiView struct {
	Name         string
	Imported     bool
	ModelsStatus string
	Cfg          *ab.BackendAPIResourceConfig
	Err          string
}

type storageView struct {
	Name     string
	Imported bool
	Cfg      *ab.GetBackendStorageResourceConfig
	Matrix   []permRow
	Err      string
}

// permRow is one row of a bucket's permission matrix.
type permRow struct {
	Who                  string
	Read, Create, Delete bool
}

type envData struct {
	P       backend.Partition
	App     *backend.AppSummary
	Env     backend.EnvSummary
	Auth    []authView
	APIs    []apiView
	Storage []storageView
	Meta    string
	Flags   string
	MetaErr string
	Jobs    []backend.JobListing
	Counts  backend.JobCounts
	Others  []string // the app's other environments
}

// envOf reads an app and one of its environments.
func (c *Console) envOf(r *http.Request) (backend.Partition, *backend.AppSummary, *backend.EnvSummary, []backend.JobListing, error) {
	p, app, jobs, err := c.appOf(r, true)
	if err != nil {
		return p, nil, nil, nil, err
	}
	name := r.URL.Query().Get("env")
	for i := range app.Envs {
		if app.Envs[i].Name == name {
			var mine []backend.JobListing
			for _, j := range jobs {
				if slices.Contains(j.Envs, name) {
					mine = append(mine, j)
				}
			}
			return p, app, &app.Envs[i], mine, nil
		}
	}
	return p, nil, nil, nil, notFound("App %s has no environment %q", app.ID, name)
}

func envCrumbs(p backend.Partition, app *backend.AppSummary, env string, last string) []crumb {
	out := []crumb{{"Apps", link("apps")}, {p.Account + " · " + p.Region, link("apps", "account", p.Account, "region", p.Region)},
		{appTitle(app), link("app", "account", p.Account, "region", p.Region, "app", app.ID)}}
	if last == "" {
		return append(out, crumb{env, ""})
	}
	return append(out, crumb{env, link("env", "account", p.Account, "region", p.Region, "app", app.ID, "env", env)}, crumb{last, ""})
}

func (c *Console) env(r *http.Request) (*view, error) {
	p, app, env, jobs, err := c.envOf(r)
	if err != nil {
		return nil, err
	}
	ctx, dom := r.Context(), c.cfg.Domain
	appID, envName := ab.String(app.ID), ab.String(env.Name)
	d := envData{P: p, App: app, Env: *env, Jobs: jobs[:min(len(jobs), 8)]}
	for _, j := range jobs {
		switch j.Status {
		case backend.StatusRunning:
			d.Counts.Running++
		case backend.StatusCompleted:
			d.Counts.Completed++
		default:
			d.Counts.Failed++
		}
	}
	for _, e := range app.Envs {
		if e.Name != env.Name {
			d.Others = append(d.Others, e.Name)
		}
	}
	if out, err := dom.GetBackend(ctx, p, &ab.GetBackendRequest{AppId: appID, BackendEnvironmentName: envName}); err != nil {
		d.MetaErr = messageOf(err)
	} else {
		d.Meta, d.Flags = pretty(deref(out.AmplifyMetaConfig).(string)), pretty(deref(out.AmplifyFeatureFlags).(string))
	}
	for _, res := range env.Resources {
		name := ab.String(res.Name)
		switch res.Kind {
		case backend.KindAuth:
			v := authView{Name: res.Name, Imported: res.Imported}
			if out, err := dom.GetBackendAuth(ctx, p, &ab.GetBackendAuthRequest{AppId: appID, BackendEnvironmentName: envName, ResourceName: name}); err != nil {
				v.Err = messageOf(err)
			} else {
				v.Cfg = out.ResourceConfig
			}
			d.Auth = append(d.Auth, v)
		case backend.KindAPI:
			v := apiView{Name: res.Name, Imported: res.Imported, ModelsStatus: res.ModelsStatus}
			if out, err := dom.GetBackendAPI(ctx, p, &ab.GetBackendAPIRequest{AppId: appID, BackendEnvironmentName: envName, ResourceName: name}); err != nil {
				v.Err = messageOf(err)
			} else {
				v.Cfg = out.ResourceConfig
			}
			d.APIs = append(d.APIs, v)
		case backend.KindStorage:
			v := storageView{Name: res.Name, Imported: res.Imported}
			if out, err := dom.GetBackendStorage(ctx, p, &ab.GetBackendStorageRequest{AppId: appID, BackendEnvironmentName: envName, ResourceName: name}); err != nil {
				v.Err = messageOf(err)
			} else {
				v.Cfg = out.ResourceConfig
				v.Matrix = matrix(out.ResourceConfig)
			}
			d.Storage = append(d.Storage, v)
		}
	}
	return &view{Title: env.Name + " · " + appTitle(app), Nav: "apps", Template: "env", Live: "job", Data: d,
		Crumbs: envCrumbs(p, app, env.Name, "")}, nil
}

// matrix is a bucket's permissions as rows of who × what.
func matrix(cfg *ab.GetBackendStorageResourceConfig) []permRow {
	var authn []ab.AuthenticatedElement
	var guest []ab.UnAuthenticatedElement
	if cfg != nil && cfg.Permissions != nil {
		authn, guest = cfg.Permissions.Authenticated, cfg.Permissions.UnAuthenticated
	}
	return []permRow{
		{Who: "Signed-in users", Read: slices.Contains(authn, "READ"), Create: slices.Contains(authn, "CREATE_AND_UPDATE"), Delete: slices.Contains(authn, "DELETE")},
		{Who: "Guests", Read: slices.Contains(guest, "READ"), Create: slices.Contains(guest, "CREATE_AND_UPDATE"), Delete: slices.Contains(guest, "DELETE")},
	}
}

type modelsData struct {
	P    backend.Partition
	App  *backend.AppSummary
	Env  backend.EnvSummary
	APIs []apiModels
}

type apiModels struct {
	Name   string
	Status string
	Schema *dataModel
	Err    string
}

func (c *Console) models(r *http.Request) (*view, error) {
	p, app, env, _, err := c.envOf(r)
	if err != nil {
		return nil, err
	}
	d := modelsData{P: p, App: app, Env: *env}
	for _, res := range env.Resources {
		if res.Kind != backend.KindAPI {
			continue
		}
		m := apiModels{Name: res.Name}
		out, err := c.cfg.Domain.GetBackendAPIModels(r.Context(), p, &ab.GetBackendAPIModelsRequest{
			AppId: ab.String(app.ID), BackendEnvironmentName: ab.String(env.Name), ResourceName: ab.String(res.Name)})
		switch {
		case err != nil:
			m.Err = messageOf(err)
		case out.ModelIntrospectionSchema == nil:
			m.Status = string(out.Status)
		default:
			m.Status = string(out.Status)
			if m.Schema, err = parseIntrospection(*out.ModelIntrospectionSchema); err != nil {
				m.Err = "The model introspection schema could not be read: " + err.Error()
			}
		}
		d.APIs = append(d.APIs, m)
	}
	return &view{Title: "Data model · " + env.Name, Nav: "apps", Template: "models", Live: "job", Data: d,
		Crumbs: envCrumbs(p, app, env.Name, "Data model")}, nil
}

type jobsData struct {
	Filter     backend.BrowseFilter
	Jobs       []backend.JobListing
	Total      int
	Page, Last int
	First      int // 1-based index of the first job shown
	Operations []string
	Accounts   []string
	Regions    []string
}

func (c *Console) jobs(r *http.Request) (*view, error) {
	f := filterOf(r)
	b, err := c.cfg.Domain.Browse(r.Context(), f, backend.BrowseOptions{Jobs: true})
	if err != nil {
		return nil, err
	}
	d := jobsData{Filter: f, Total: len(b.Jobs), Operations: b.Operations}
	for _, p := range b.Partitions {
		if !slices.Contains(d.Accounts, p.Account) {
			d.Accounts = append(d.Accounts, p.Account)
		}
		if !slices.Contains(d.Regions, p.Region) {
			d.Regions = append(d.Regions, p.Region)
		}
	}
	if f.Operation != "" && !slices.Contains(d.Operations, f.Operation) {
		d.Operations = append(d.Operations, f.Operation)
	}
	d.Last = max(1, (d.Total+jobsPerPage-1)/jobsPerPage)
	d.Page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	d.Page = min(max(d.Page, 1), d.Last)
	start := (d.Page - 1) * jobsPerPage
	d.Jobs = b.Jobs[start:min(start+jobsPerPage, d.Total)]
	d.First = start + 1
	return &view{Title: "Jobs", Nav: "jobs", Template: "jobs", Live: "job", Data: d}, nil
}

type requestsData struct {
	Operation string
	Status    string
	Errors    bool
	Entries   []control.Entry
	Total     uint64
	Capacity  int
	Faulted   int
	Failed    int
}

func (c *Console) requests(r *http.Request) (*view, error) {
	q := r.URL.Query()
	d := requestsData{Operation: q.Get("operation"), Status: q.Get("status"), Errors: q.Get("errors") != "",
		Capacity: c.cfg.Plane.JournalCapacity()}
	status, _ := strconv.Atoi(d.Status)
	d.Entries, d.Total = c.cfg.Plane.Requests(requestsShown, func(e *control.Entry) bool {
		return (d.Operation == "" || e.Operation == d.Operation) && (status == 0 || e.Status == status) &&
			(!d.Errors || e.Status >= 400)
	})
	for _, e := range d.Entries {
		if e.Fault != "" {
			d.Faulted++
		}
		if e.Status >= 400 {
			d.Failed++
		}
	}
	return &view{Title: "Requests", Nav: "requests", Template: "requests", Live: "request", Data: d}, nil
}

type settingsData struct {
	Policy     backend.JobPolicy
	Durations  string // one "Operation=duration" a line
	Faults     []control.Rule
	Operations []string
	JobOps     []string
	Partitions []backend.PartitionSummary
}

func (c *Console) settings(r *http.Request) (*view, error) {
	b, err := c.cfg.Domain.Browse(r.Context(), backend.BrowseFilter{}, backend.BrowseOptions{})
	if err != nil {
		return nil, err
	}
	d := settingsData{Policy: c.cfg.Domain.JobPolicy(), Faults: c.cfg.Plane.Faults(), Partitions: b.Partitions}
	ops := make([]string, 0, len(d.Policy.Durations))
	for op := range d.Policy.Durations {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	for _, op := range ops {
		d.Durations += op + "=" + d.Policy.Durations[op].String() + "\n"
	}
	for _, op := range ab.Operations {
		d.Operations = append(d.Operations, op.Name)
	}
	slices.Sort(d.Operations)
	return &view{Title: "Settings", Nav: "settings", Template: "settings", Data: d}, nil
}
