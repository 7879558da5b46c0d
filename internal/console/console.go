// Package console is amplifylite's browser console, served under
// /_amplifylite/console/ through the control plane's route table: the
// partitions, apps, environments, data models, jobs and requests of a
// server, live, and the actions the API and the control plane offer (create,
// clone and delete backends, force a job's outcome, fault rules, job mode,
// reset, snapshots), calling the same domain code.
//
// Pages are rendered on the server with html/template (every string is
// escaped); a small script refreshes a page's live region when the control
// plane's event stream says something changed. Assets are embedded: nothing
// is fetched from elsewhere. With --credentials the console asks for the
// admin token once and keeps a signed session cookie; every state-changing
// request must come from the console's own origin and carry its CSRF token.
package console

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/control"
)

// Base is the console's path.
const Base = control.ConsolePath

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Domain is what the console asks of the domain: the API's operations it
// reads and performs, browsing, job control and state.
type Domain interface {
	Browse(ctx context.Context, f backend.BrowseFilter, o backend.BrowseOptions) (*backend.Browse, error)
	GetBackend(ctx context.Context, p backend.Partition, in *ab.GetBackendRequest) (*ab.GetBackendResponse, error)
	GetBackendAuth(ctx context.Context, p backend.Partition, in *ab.GetBackendAuthRequest) (*ab.GetBackendAuthResponse, error)
	GetBackendAPI(ctx context.Context, p backend.Partition, in *ab.GetBackendAPIRequest) (*ab.GetBackendAPIResponse, error)
	GetBackendStorage(ctx context.Context, p backend.Partition, in *ab.GetBackendStorageRequest) (*ab.GetBackendStorageResponse, error)
	GetBackendAPIModels(ctx context.Context, p backend.Partition, in *ab.GetBackendAPIModelsRequest) (*ab.GetBackendAPIModelsResponse, error)
	CreateBackend(ctx context.Context, p backend.Partition, in *ab.CreateBackendRequest) (*ab.CreateBackendResponse, error)
	CloneBackend(ctx context.Context, p backend.Partition, in *ab.CloneBackendRequest) (*ab.CloneBackendResponse, error)
	DeleteBackend(ctx context.Context, p backend.Partition, in *ab.DeleteBackendRequest) (*ab.DeleteBackendResponse, error)
	RemoveAllBackends(ctx context.Context, p backend.Partition, in *ab.RemoveAllBackendsRequest) (*ab.RemoveAllBackendsResponse, error)
	UpdateBackendJob(ctx context.Context, p backend.Partition, in *ab.UpdateBackendJobRequest) (*ab.UpdateBackendJobResponse, error)
	JobPolicy() backend.JobPolicy
	SetJobPolicy(backend.JobPolicy) error
	Reset(ctx context.Context, sc backend.Scope) (backend.RecordCounts, error)
	Export(ctx context.Context, sc backend.Scope) (*backend.Snapshot, error)
	Import(ctx context.Context, snap *backend.Snapshot, mode backend.ImportMode) (backend.RecordCounts, error)
}

var _ Domain = (*backend.Service)(nil)

// Plane is what the console asks of the control plane.
type Plane interface {
	Protected() bool
	CheckAdminToken(token string) error
	Authorized(r *http.Request) error
	Requests(limit int, keep func(*control.Entry) bool) ([]control.Entry, uint64)
	JournalCapacity() int
	Faults() []control.Rule
	AddFault(control.Rule) (control.Rule, error)
	RemoveFault(id string) int
	StreamEvents(w http.ResponseWriter, r *http.Request) error
	Build() control.Build
}

var _ Plane = (*control.Plane)(nil)

// Config configures the console.
type Config struct {
	Domain Domain
	Plane  Plane
	// Store names the store, for the header ("sqlite", "postgres").
	Store string
	// DefaultRegion is the region of unsigned API requests, the default of
	// the create form.
	DefaultRegion string
	Logger        *slog.Logger
	Now           func() time.Time
}

// Console is the console's http.Handler.
type Console struct {
	cfg    Config
	mux    *http.ServeMux
	pages  map[string]*template.Template
	static map[string]asset
	secret []byte // signs sessions and CSRF tokens; new at each start
	origin *http.CrossOriginProtection
}

// asset is an embedded file, also gzipped.
type asset struct {
	body, gz []byte
	ctype    string
	etag     string
}

// New returns the console.
func New(cfg Config) *Console {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DefaultRegion == "" {
		cfg.DefaultRegion = "us-east-1"
	}
	c := &Console{cfg: cfg, mux: http.NewServeMux(), secret: make([]byte, 32), origin: http.NewCrossOriginProtection()}
	rand.Read(c.secret)
	c.static = loadStatic()
	c.pages = parsePages(c.assetURL)
	c.routes()
	return c
}

// routes registers the console's pages and actions.
func (c *Console) routes() {
	page := func(pattern string, h func(*http.Request) (*view, error)) {
		c.mux.HandleFunc("GET "+Base+pattern, c.guard(func(w http.ResponseWriter, r *http.Request) { c.render(w, r, h) }))
	}
	page("{$}", c.overview)
	page("apps", c.apps)
	page("app", c.app)
	page("env", c.env)
	page("models", c.models)
	page("jobs", c.jobs)
	page("requests", c.requests)
	page("settings", c.settings)
	c.mux.HandleFunc("GET "+Base+"events", c.guard(func(w http.ResponseWriter, r *http.Request) {
		if err := c.cfg.Plane.StreamEvents(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	}))
	c.mux.HandleFunc("GET "+Base+"state", c.guard(c.download))
	c.mux.HandleFunc("GET "+Base+"static/{file}", c.serveStatic)
	c.mux.HandleFunc("GET "+Base+"login", c.loginPage)
	c.mux.HandleFunc("POST "+Base+"login", c.login)
	c.mux.HandleFunc("POST "+Base+"logout", c.logout)
	for name, act := range c.actions() {
		c.mux.HandleFunc("POST "+Base+"do/"+name, c.guard(c.act(act)))
	}
	c.mux.HandleFunc(Base, func(w http.ResponseWriter, r *http.Request) {
		c.render(w, r, func(*http.Request) (*view, error) {
			return nil, notFound("No console page at %s", r.URL.Path)
		})
	})
}

// ServeHTTP serves the console.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	// The API's CORS header (Access-Control-Allow-Origin: *) must not let
	// other origins read the console's pages.
	h.Del("Access-Control-Allow-Origin")
	h.Del("Access-Control-Expose-Headers")
	c.mux.ServeHTTP(w, r)
}

// --- access -----------------------------------------------------------------

const (
	sessionCookie = "amplifylite_console"
	csrfCookie    = "amplifylite_console_csrf"
	flashCookie   = "amplifylite_console_flash"
	sessionTTL    = 12 * time.Hour
)

func (c *Console) sign(parts ...string) string {
	m := hmac.New(sha256.New, c.secret)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// allowed applies the control plane's access rules: open without
// --credentials; else the admin token as a bearer header, or a session the
// sign-in form started.
func (c *Console) allowed(r *http.Request) bool {
	if !c.cfg.Plane.Protected() || c.cfg.Plane.Authorized(r) == nil {
		return true
	}
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return false
	}
	issued, mac, ok := strings.Cut(ck.Value, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(c.sign("session", issued))) {
		return false
	}
	sec, err := strconv.ParseInt(issued, 10, 64)
	return err == nil && c.cfg.Now().Sub(time.Unix(sec, 0)) < sessionTTL
}

// guard sends requests without access to the sign-in page (pages) or
// answers 403 (everything else).
func (c *Console) guard(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if c.allowed(r) {
			h(w, r)
			return
		}
		if r.Method == http.MethodGet && r.Header.Get(fragmentHeader) == "" && !strings.HasSuffix(r.URL.Path, "/events") {
			http.Redirect(w, r, Base+"login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		http.Error(w, "Sign in to the console with the admin token first", http.StatusForbidden)
	}
}

// csrfToken returns the CSRF token of the browser's CSRF cookie, setting
// the cookie first when the browser has none.
func (c *Console) csrfToken(w http.ResponseWriter, r *http.Request) string {
	ck, err := r.Cookie(csrfCookie)
	if err != nil || len(ck.Value) != 32 {
		b := make([]byte, 16)
		rand.Read(b)
		ck = &http.Cookie{Name: csrfCookie, Value: hex.EncodeToString(b), Path: Base, HttpOnly: true, SameSite: http.SameSiteStrictMode}
		http.SetCookie(w, ck)
		r.AddCookie(ck)
	}
	return c.sign("csrf", ck.Value)
}

// checkCSRF refuses a state-changing request from another origin, or
// without the CSRF token of the browser's cookie.
func (c *Console) checkCSRF(r *http.Request) error {
	if err := c.origin.Check(r); err != nil {
		return forbidden("Refused: the request did not come from the console's own page (%v)", err)
	}
	ck, err := r.Cookie(csrfCookie)
	tok := r.FormValue("csrf")
	if err != nil || tok == "" || !hmac.Equal([]byte(tok), []byte(c.sign("csrf", ck.Value))) {
		return forbidden("Refused: the form's security token is missing or out of date; reload the page and try again")
	}
	return nil
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, func(r *http.Request) (*view, error) {
		return &view{Title: "Sign in", Template: "login", Data: map[string]any{
			"Next": safeNext(r.URL.Query().Get("next")), "Protected": c.cfg.Plane.Protected()}}, nil
	})
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := c.checkCSRF(r); err != nil {
		c.fail(w, r, err)
		return
	}
	next := safeNext(r.FormValue("next"))
	if err := c.cfg.Plane.CheckAdminToken(strings.TrimSpace(r.FormValue("token"))); err != nil {
		c.setFlash(w, "error", "Sign-in failed: "+messageOf(err))
		http.Redirect(w, r, Base+"login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	issued := strconv.FormatInt(c.cfg.Now().Unix(), 10)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: issued + "." + c.sign("session", issued), Path: Base,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: int(sessionTTL.Seconds())})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	if err := c.checkCSRF(r); err != nil {
		c.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: Base, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, Base+"login", http.StatusSeeOther)
}

// safeNext is a console path to go back to, or the console's front page:
// never another site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") ||
		!strings.HasPrefix(path.Clean(u.Path)+"/", Base) {
		return Base
	}
	return u.RequestURI()
}

// --- flash messages -----------------------------------------------------------

// flash is the outcome of the last action, shown once on the next page.
type flash struct {
	Kind    string // "ok" or "error"
	Message string
}

func (c *Console) setFlash(w http.ResponseWriter, kind, msg string) {
	if len(msg) > 1500 {
		msg = msg[:1500] + "…"
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(kind + ":" + msg), Path: Base,
		HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

func (c *Console) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	ck, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: Base, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	v, err := url.QueryUnescape(ck.Value)
	if err != nil {
		return nil
	}
	kind, msg, _ := strings.Cut(v, ":")
	if kind != "ok" {
		kind = "error"
	}
	return &flash{Kind: kind, Message: msg}
}

// --- errors -------------------------------------------------------------------

// pageError is an error shown to the user with its status.
type pageError struct {
	status int
	msg    string
}

func (e *pageError) Error() string { return e.msg }

func notFound(format string, args ...any) error {
	return &pageError{http.StatusNotFound, fmt.Sprintf(format, args...)}
}
func badInput(format string, args ...any) error {
	return &pageError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}
func forbidden(format string, args ...any) error {
	return &pageError{http.StatusForbidden, fmt.Sprintf(format, args...)}
}

// messageOf is what the user is told of err: the domain's and the control
// plane's client errors as they are, internal errors without detail.
func messageOf(err error) string {
	switch e := err.(type) {
	case *pageError:
		return e.msg
	case *control.Error:
		return e.Message
	case *backend.Error:
		return e.Message
	case *backend.SnapshotError:
		return e.Message
	}
	return "An internal error occurred; see the server log"
}

func statusOf(err error) int {
	switch e := err.(type) {
	case *pageError:
		return e.status
	case *control.Error:
		return e.Status
	case *backend.Error:
		if e.Kind == backend.NotFound {
			return http.StatusNotFound
		}
		return http.StatusBadRequest
	case *backend.SnapshotError:
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// fail answers a refused request with a page saying why.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	c.render(w, r, func(*http.Request) (*view, error) { return nil, err })
}

// --- rendering ----------------------------------------------------------------

// fragmentHeader asks for a page's live region only (console.js).
const fragmentHeader = "X-Console-Fragment"

// view is what a page handler gives the layout.
type view struct {
	Title    string
	Nav      string // the navigation entry to highlight
	Template string // the page's template file, without .html
	Live     string // event types that refresh the live region ("job", "request")
	Crumbs   []crumb
	Data     any

	// Filled by render.
	CSRF    string
	Flash   *flash
	Build   control.Build
	Store   string
	Base    string
	Path    string // the request's URI, where actions come back to
	Signed  bool   // a session exists (a sign-out button is useful)
	Status  int
	Problem string
}

type crumb struct{ Label, Href string }

func (c *Console) render(w http.ResponseWriter, r *http.Request, h func(*http.Request) (*view, error)) {
	v, err := h(r)
	if err != nil {
		status := statusOf(err)
		if status == http.StatusInternalServerError {
			c.cfg.Logger.Error("console", "path", r.URL.Path, "err", err)
		}
		v = &view{Title: http.StatusText(status), Template: "error", Status: status, Problem: messageOf(err)}
	}
	if v.Status == 0 {
		v.Status = http.StatusOK
	}
	v.CSRF, v.Flash, v.Build, v.Store, v.Base = c.csrfToken(w, r), c.takeFlash(w, r), c.cfg.Plane.Build(), c.cfg.Store, Base
	v.Path = r.URL.RequestURI()
	v.Signed = c.cfg.Plane.Protected()
	t := c.pages[v.Template]
	name := "layout"
	if r.Header.Get(fragmentHeader) != "" && v.Status == http.StatusOK {
		name = "live"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		c.cfg.Logger.Error("console: render", "page", v.Template, "err", err)
		http.Error(w, "The page could not be rendered; see the server log", http.StatusInternalServerError)
		return
	}
	h2 := w.Header()
	h2.Set("Content-Type", "text/html; charset=utf-8")
	h2.Set("Cache-Control", "no-store")
	writeMaybeGzip(w, r, v.Status, buf.Bytes())
}

// writeMaybeGzip answers body, gzipped when the client accepts it and it is
// worth it.
func writeMaybeGzip(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	if len(body) < 1024 || !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		w.Write(body)
		return
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write(body)
	zw.Close()
	h.Set("Content-Encoding", "gzip")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func loadStatic() map[string]asset {
	out := map[string]asset{}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		body, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			panic(err)
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		sum := sha256.Sum256(body)
		ctype := "application/octet-stream"
		switch path.Ext(e.Name()) {
		case ".css":
			ctype = "text/css; charset=utf-8"
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".svg":
			ctype = "image/svg+xml"
		}
		out[e.Name()] = asset{body: body, gz: gz.Bytes(), ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	return out
}

// assetURL is a static file's URL, versioned by its content so that
// browsers may cache it for good.
func (c *Console) assetURL(name string) string {
	a, ok := c.static[name]
	if !ok {
		panic("console: no static file " + name)
	}
	return Base + "static/" + name + "?v=" + strings.Trim(a.etag, `"`)
}

// serveStatic serves an embedded asset; they hold nothing secret, so they
// need no access.
func (c *Console) serveStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := c.static[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("ETag", a.etag)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.body
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		body = a.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}
