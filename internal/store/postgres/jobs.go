package postgres

import (
	"strconv"
	"strings"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/jackc/pgx/v5"
)

func (t *tx) Job(p backend.Partition, appID, jobID string) (*backend.Job, error) {
	var j backend.Job
	ok, err := t.get(&j, qJob, p.Account, p.Region, appID, jobID)
	if err != nil || !ok {
		return nil, wrap("get job", err)
	}
	j.Payload = nullRaw(j.Payload)
	return &j, nil
}

// PutJob inserts or replaces the job and re-lists it under its Envs, in one
// round trip.
func (t *tx) PutJob(p backend.Partition, j *backend.Job) error {
	c := *j
	c.Created, c.Updated, c.Due = c.Created.UTC(), c.Updated.UTC(), c.Due.UTC()
	envs := c.Envs
	if envs == nil {
		envs = []string{}
	}
	data, err := encode(&c)
	if err != nil {
		return wrap("put job", err)
	}
	b := &pgx.Batch{}
	// Listings are keyed by created, so drop the old ones before upserting.
	b.Queue(qUnlistJob, p.Account, p.Region, c.AppID, c.ID)
	b.Queue(qPutJob, p.Account, p.Region, c.AppID, c.ID, c.Created, c.Status, c.Due, envs, data)
	b.Queue(qListJob, p.Account, p.Region, c.AppID, envs, c.Created, c.ID, c.Status, c.Operation)
	return wrap("put job", t.batch(b))
}

func (t *tx) RunningJob(p backend.Partition, appID, env string) (*backend.Job, error) {
	var j backend.Job
	ok, err := t.get(&j, qRunningJob, p.Account, p.Region, appID, env)
	if err != nil || !ok {
		return nil, wrap("get running job", err)
	}
	j.Payload = nullRaw(j.Payload)
	return &j, nil
}

// Jobs pages through the listing in (created, job_id) order, starting
// strictly after q.After; a Limit of zero or less means no limit.
func (t *tx) Jobs(p backend.Partition, appID, env string, q backend.JobQuery) ([]backend.Job, error) {
	var f jobsFilter
	args := []any{p.Account, p.Region, appID, env}
	if q.JobID != "" {
		f |= byJobID
		args = append(args, q.JobID)
	}
	if q.Operation != "" {
		f |= byOperation
		args = append(args, q.Operation)
	}
	if q.Status != "" {
		f |= byStatus
		args = append(args, q.Status)
	}
	if q.After != nil {
		f |= afterCursor
		args = append(args, q.After.Created, q.After.JobID)
	}
	var limit any // NULL: no limit
	if q.Limit > 0 {
		limit = q.Limit
	}
	js, err := list[backend.Job](t, jobsQueries[f], append(args, limit)...)
	for i := range js {
		js[i].Payload = nullRaw(js[i].Payload)
	}
	return js, wrap("list jobs", err)
}

// jobsFilter says which of a JobQuery's conditions are set.
type jobsFilter int

const (
	byJobID jobsFilter = 1 << iota
	byOperation
	byStatus
	afterCursor
	allFilters
)

// jobsQueries is the listing query for every jobsFilter.
var jobsQueries = func() (qs [allFilters]string) {
	for f := range allFilters {
		qs[f] = jobsSQL(f)
	}
	return qs
}()

func jobsSQL(f jobsFilter) string {
	n := 4 // parameters used so far
	param := func() string {
		n++
		return "$" + strconv.Itoa(n)
	}
	var sb strings.Builder
	sb.WriteString(`SELECT j.data FROM job_envs e
		JOIN jobs j ON j.account = e.account AND j.region = e.region AND j.app_id = e.app_id AND j.job_id = e.job_id
		WHERE e.account = $1 AND e.region = $2 AND e.app_id = $3 AND e.env = $4`)
	if f&byJobID != 0 {
		sb.WriteString(` AND e.job_id = ` + param())
	}
	if f&byOperation != 0 {
		sb.WriteString(` AND e.operation = ` + param())
	}
	if f&byStatus != 0 {
		sb.WriteString(` AND e.status = ` + param())
	}
	if f&afterCursor != 0 {
		sb.WriteString(` AND (e.created, e.job_id) > (` + param() + `, ` + param() + `)`)
	}
	sb.WriteString(` ORDER BY e.created, e.job_id LIMIT ` + param())
	return sb.String()
}

func (t *tx) HasJobs(p backend.Partition, appID, env string) (bool, error) {
	var has bool
	err := t.check(t.tx.QueryRow(t.ctx, qHasJobs, p.Account, p.Region, appID, env).Scan(&has))
	return has, wrap("has jobs", err)
}

// DueJobs returns running jobs due at or before now, soonest first; a limit
// of zero or less means no limit.
func (t *tx) DueJobs(now time.Time, limit int) ([]backend.JobRef, error) {
	var lim any // NULL: no limit
	if limit > 0 {
		lim = limit
	}
	rows, err := t.tx.Query(t.ctx, qDueJobs, now, lim)
	if err != nil {
		return nil, wrap("list due jobs", t.check(err))
	}
	defer rows.Close()
	var refs []backend.JobRef
	for rows.Next() {
		var r backend.JobRef
		if err := rows.Scan(&r.Partition.Account, &r.Partition.Region, &r.AppID, &r.JobID); err != nil {
			return nil, wrap("list due jobs", t.check(err))
		}
		refs = append(refs, r)
	}
	return refs, wrap("list due jobs", t.check(rows.Err()))
}

func (t *tx) NextDue() (time.Time, bool, error) {
	var due *time.Time
	if err := t.check(t.tx.QueryRow(t.ctx, qNextDue).Scan(&due)); err != nil || due == nil {
		return time.Time{}, false, wrap("next due job", err)
	}
	return due.UTC(), true, nil
}

// Statements; pgx prepares and caches each on every connection.
const (
	qJob       = `SELECT data FROM jobs WHERE account = $1 AND region = $2 AND app_id = $3 AND job_id = $4`
	qUnlistJob = `DELETE FROM job_envs e USING jobs j
		WHERE j.account = $1 AND j.region = $2 AND j.app_id = $3 AND j.job_id = $4
		AND e.account = j.account AND e.region = j.region AND e.app_id = j.app_id
		AND e.env = ANY (j.envs) AND e.created = j.created AND e.job_id = j.job_id`
	qPutJob = `INSERT INTO jobs (account, region, app_id, job_id, created, status, due, envs, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (account, region, app_id, job_id) DO UPDATE SET created = excluded.created,
			status = excluded.status, due = excluded.due, envs = excluded.envs, data = excluded.data`
	qListJob = `INSERT INTO job_envs (account, region, app_id, env, created, job_id, status, operation)
		SELECT $1, $2, $3, env, $5, $6, $7, $8 FROM unnest($4::text[]) AS env
		ON CONFLICT DO NOTHING`
	qRunningJob = `SELECT j.data FROM job_envs e
		JOIN jobs j ON j.account = e.account AND j.region = e.region AND j.app_id = e.app_id AND j.job_id = e.job_id
		WHERE e.account = $1 AND e.region = $2 AND e.app_id = $3 AND e.env = $4 AND e.status = 'RUNNING'
		ORDER BY e.created, e.job_id LIMIT 1`
	qHasJobs = `SELECT EXISTS (SELECT 1 FROM job_envs WHERE account = $1 AND region = $2 AND app_id = $3 AND env = $4)`
	qDueJobs = `SELECT account, region, app_id, job_id FROM jobs
		WHERE status = 'RUNNING' AND due <= $1
		ORDER BY due, account, region, app_id, job_id LIMIT $2`
	qNextDue = `SELECT min(due) FROM jobs WHERE status = 'RUNNING'`
)
