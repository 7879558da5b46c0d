package control

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/httpapi"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus metrics of GET /metrics, in a registry of the
// plane's own (not the process-wide default).
type metrics struct {
	// The registry, with the Go runtime and process collectors, and its
	// handler are made by the first scrape (serve): registering them costs
	// ~0.5 ms of CPU that the server's start need not pay.
	register func() http.Handler
	once     sync.Once
	handler  http.Handler

	requests     *prometheus.CounterVec   // operation, code
	latency      *prometheus.HistogramVec // operation
	jobsStarted  *prometheus.CounterVec   // operation
	jobsFinished *prometheus.CounterVec   // operation, outcome
	jobRunTime   *prometheus.HistogramVec // operation
	commit       prometheus.Histogram
	batch        prometheus.Histogram
	commitErrors prometheus.Counter
	faults       *prometheus.CounterVec // operation, kind

	ops sync.Map // operation name → *opMetrics
}

// runningTimeout bounds the store query behind the running-jobs gauge.
const runningTimeout = 2 * time.Second

func newMetrics(p *Plane) *metrics {
	m := &metrics{}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "amplifylite_requests_total",
		Help: "API requests answered, by operation (\"-\" when none matched) and HTTP status code.",
	}, []string{"operation", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "amplifylite_request_duration_seconds",
		Help:    "Time to answer an API request, from its headers to its answer, by operation.",
		Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10), // 100 µs to 26 s
	}, []string{"operation"})
	m.jobsStarted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "amplifylite_jobs_started_total",
		Help: "Jobs created by this server, by operation.",
	}, []string{"operation"})
	m.jobsFinished = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "amplifylite_jobs_finished_total",
		Help: "Jobs finished by this server, by operation and outcome (completed, failed).",
	}, []string{"operation", "outcome"})
	m.jobRunTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "amplifylite_job_run_seconds",
		Help:    "Time from a job's creation to its end, by operation.",
		Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600},
	}, []string{"operation"})
	m.commit = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "amplifylite_store_commit_seconds",
		Help:    "Time to make a write durable: SQLite's group COMMIT (with its fsync); PostgreSQL's whole Update, retries included.",
		Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 12), // 100 µs to 2.4 s
	})
	m.batch = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "amplifylite_store_commit_batch_size",
		Help:    "Updates that shared one transaction and one fsync (SQLite's group commit; always 1 on PostgreSQL).",
		Buckets: prometheus.ExponentialBuckets(1, 2, 8), // 1 to 128
	})
	m.commitErrors = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "amplifylite_store_commit_errors_total",
		Help: "Write transactions that could not be committed (SQLite).",
	})
	m.faults = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "amplifylite_faults_injected_total",
		Help: "Faults injected into API requests by the rules of /_amplifylite/faults, by operation and kind (error, latency).",
	}, []string{"operation", "kind"})
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "amplifylite_build_info",
		Help: "Always 1; the labels tell the build: version, VCS revision, Go version.",
	}, []string{"version", "revision", "goversion"})
	build.WithLabelValues(p.build.Version, p.build.Revision, p.build.GoVersion).Set(1)
	start := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "amplifylite_start_time_seconds",
		Help: "When the server started, in seconds since the Unix epoch.",
	})
	start.Set(float64(p.started.UnixNano()) / 1e9)
	faultRules := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "amplifylite_fault_rules",
		Help: "Fault-injection rules in force.",
	}, func() float64 { return float64(p.faults.active.Load()) })
	subscribers := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "amplifylite_event_subscribers",
		Help: "Clients following /_amplifylite/events.",
	}, func() float64 { return float64(p.events.count.Load()) })
	// The Go runtime's and the process's collectors come from the prometheus
	// package's own constructors (deprecated there in favour of the
	// collectors package, which only wraps them): importing collectors would
	// compile its regexps at every process start.
	m.register = func() http.Handler {
		reg := prometheus.NewRegistry()
		reg.MustRegister(m.requests, m.latency, m.jobsStarted, m.jobsFinished, m.jobRunTime, m.commit, m.batch,
			m.commitErrors, m.faults, build, start, faultRules, subscribers,
			prometheus.NewGoCollector(),                                       //nolint:staticcheck // SA1019: see above
			prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{})) //nolint:staticcheck // SA1019
		if p.cfg.RunningJobs != nil {
			reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "amplifylite_jobs_running",
				Help: "Jobs RUNNING in the store, in every partition (NaN when the store cannot be read).",
			}, func() float64 {
				ctx, cancel := context.WithTimeout(context.Background(), runningTimeout)
				defer cancel()
				n, err := p.cfg.RunningJobs(ctx)
				if err != nil {
					return math.NaN()
				}
				return float64(n)
			}))
		}
		return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slogPrinter{p}})
	}
	return m
}

// statusCodes are the code labels, so that labelling a request allocates no
// string; made on first use (600 strings: ~130 k instructions at every
// process start otherwise).
var statusCodes = sync.OnceValue(func() *[600]string {
	var c [600]string
	for i := range c {
		c[i] = strconv.Itoa(i)
	}
	return &c
})

func codeLabel(status int) string {
	if c := statusCodes(); status >= 0 && status < len(c) {
		return c[status]
	}
	return strconv.Itoa(status)
}

// request counts an answered API request.
func (m *metrics) request(x *httpapi.Exchange) {
	o := m.operation(x.Operation)
	o.status(x.Status).Inc()
	o.latency.Observe(x.Duration.Seconds())
}

// opMetrics are one operation's request metrics, resolved once: looking
// series up by label values (hashing them) on every request would cost more
// than the rest of the hooks together.
type opMetrics struct {
	m       *metrics
	op      string
	latency prometheus.Observer
	codes   sync.Map // status code (int) → prometheus.Counter
}

func (m *metrics) operation(op string) *opMetrics {
	if o, ok := m.ops.Load(op); ok {
		return o.(*opMetrics)
	}
	o, _ := m.ops.LoadOrStore(op, &opMetrics{m: m, op: op, latency: m.latency.WithLabelValues(op)})
	return o.(*opMetrics)
}

func (o *opMetrics) status(code int) prometheus.Counter {
	if c, ok := o.codes.Load(code); ok {
		return c.(prometheus.Counter)
	}
	c, _ := o.codes.LoadOrStore(code, o.m.requests.WithLabelValues(o.op, codeLabel(code)))
	return c.(prometheus.Counter)
}

// job counts a job's creation or end.
func (m *metrics) job(e *backend.JobEvent) {
	if e.OldStatus == "" {
		m.jobsStarted.WithLabelValues(e.Operation).Inc()
		return
	}
	m.jobsFinished.WithLabelValues(e.Operation, strings.ToLower(e.NewStatus)).Inc()
	m.jobRunTime.WithLabelValues(e.Operation).Observe(e.Updated.Sub(e.Created).Seconds())
}

func (m *metrics) faultInjected(op, kind string) { m.faults.WithLabelValues(op, kind).Inc() }

// OnCommit is the store's hook for the end of each write transaction
// (sqlite.Store.OnCommit, postgres.Store.OnCommit).
func (p *Plane) OnCommit(d time.Duration, batch int, err error) {
	if err != nil {
		p.metrics.commitErrors.Inc()
		return
	}
	p.metrics.commit.Observe(d.Seconds())
	p.metrics.batch.Observe(float64(batch))
}

// serveMetrics answers GET /metrics in Prometheus' text format (or what the
// scraper's Accept header asks for).
func (p *Plane) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	p.metrics.once.Do(func() { p.metrics.handler = p.metrics.register() })
	p.metrics.handler.ServeHTTP(w, r)
	return nil
}

// slogPrinter logs promhttp's errors.
type slogPrinter struct{ p *Plane }

func (s slogPrinter) Println(v ...any) {
	s.p.cfg.Logger.Error("metrics", "err", strings.TrimSpace(fmt.Sprintln(v...)))
}
