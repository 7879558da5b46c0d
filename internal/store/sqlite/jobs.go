package sqlite

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
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

// PutJob inserts or replaces the job and re-lists it under its Envs.
func (t *tx) PutJob(p backend.Partition, j *backend.Job) error {
	return wrap("put job", t.putJob(p, j))
}

func (t *tx) putJob(p backend.Partition, j *backend.Job) error {
	c := *j
	c.Created, c.Updated, c.Due = c.Created.UTC(), c.Updated.UTC(), c.Due.UTC()
	data, err := json.Marshal(&c)
	if err != nil {
		return err
	}
	// Listings are keyed by created, so drop the old ones before upserting.
	if err := t.exec(qUnlistJob, p.Account, p.Region, c.AppID, c.ID); err != nil {
		return err
	}
	if err := t.exec(qPutJob, p.Account, p.Region, c.AppID, c.ID, nanos(c.Created), c.Status, nanos(c.Due), data); err != nil {
		return err
	}
	for _, env := range c.Envs {
		if err := t.exec(qListJob, p.Account, p.Region, c.AppID, env, nanos(c.Created), c.ID, c.Status, c.Operation); err != nil {
			return err
		}
	}
	return nil
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
		args = append(args, nanos(q.After.Created), q.After.JobID)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1 // no limit
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
		qs[f] = query(jobsSQL(f))
	}
	return qs
}()

func jobsSQL(f jobsFilter) string {
	// Without statistics the planner may walk the primary key and filter;
	// name the index that reads matching rows already in page order.
	index := ""
	switch {
	case f&byStatus != 0:
		index = " INDEXED BY job_envs_by_status"
	case f&byOperation != 0:
		index = " INDEXED BY job_envs_by_operation"
	}
	var sb strings.Builder
	sb.WriteString(`SELECT j.data FROM job_envs e` + index + `
		JOIN jobs j ON j.account = e.account AND j.region = e.region AND j.app_id = e.app_id AND j.job_id = e.job_id
		WHERE e.account = ? AND e.region = ? AND e.app_id = ? AND e.env = ?`)
	if f&byJobID != 0 {
		// Through the jobs key, then the listing's primary key.
		sb.WriteString(` AND j.job_id = ? AND e.created = j.created`)
	}
	if f&byOperation != 0 {
		sb.WriteString(` AND e.operation = ?`)
	}
	if f&byStatus != 0 {
		sb.WriteString(` AND e.status = ?`)
	}
	if f&afterCursor != 0 {
		sb.WriteString(` AND (e.created, e.job_id) > (?, ?)`)
	}
	sb.WriteString(` ORDER BY e.created, e.job_id LIMIT ?`)
	return sb.String()
}

func (t *tx) HasJobs(p backend.Partition, appID, env string) (bool, error) {
	var n int
	err := t.scan(qHasJobs, []any{p.Account, p.Region, appID, env}, &n)
	return n == 1, wrap("has jobs", err)
}

// DueJobs returns running jobs due at or before now, soonest first; a limit
// of zero or less means no limit.
func (t *tx) DueJobs(now time.Time, limit int) ([]backend.JobRef, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := t.query(qDueJobs, nanos(now), limit)
	if err != nil {
		return nil, fmt.Errorf("list due jobs: %w", err)
	}
	defer rows.Close()
	var refs []backend.JobRef
	for rows.Next() {
		var r backend.JobRef
		if err := rows.Scan(&r.Partition.Account, &r.Partition.Region, &r.AppID, &r.JobID); err != nil {
			return nil, fmt.Errorf("list due jobs: %w", err)
		}
		refs = append(refs, r)
	}
	return refs, wrap("list due jobs", rows.Err())
}

func (t *tx) NextDue() (time.Time, bool, error) {
	var j backend.Job
	ok, err := t.get(&j, qNextDue)
	if err != nil || !ok {
		return time.Time{}, false, wrap("next due job", err)
	}
	return j.Due, true, nil
}

// Statements.
var (
	qJob       = query(`SELECT data FROM jobs WHERE account = ? AND region = ? AND app_id = ? AND job_id = ?`)
	qUnlistJob = query(`DELETE FROM job_envs WHERE (account, region, app_id, env, created, job_id) IN (
			SELECT j.account, j.region, j.app_id, e.value, j.created, j.job_id
			FROM jobs j, json_each(j.data, '$.envs') e
			WHERE j.account = ? AND j.region = ? AND j.app_id = ? AND j.job_id = ?)`)
	qPutJob = query(`INSERT INTO jobs (account, region, app_id, job_id, created, status, due, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET created = excluded.created, status = excluded.status, due = excluded.due, data = excluded.data`)
	qListJob = query(`INSERT INTO job_envs (account, region, app_id, env, created, job_id, status, operation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`)
	qRunningJob = query(`SELECT j.data FROM job_envs e
		JOIN jobs j ON j.account = e.account AND j.region = e.region AND j.app_id = e.app_id AND j.job_id = e.job_id
		WHERE e.account = ? AND e.region = ? AND e.app_id = ? AND e.env = ? AND e.status = 'RUNNING'
		ORDER BY e.created, e.job_id LIMIT 1`)
	qHasJobs = query(`SELECT EXISTS (SELECT 1 FROM job_envs WHERE account = ? AND region = ? AND app_id = ? AND env = ?)`)
	qDueJobs = query(`SELECT account, region, app_id, job_id FROM jobs
		WHERE status = 'RUNNING' AND due <= ?
		ORDER BY due, account, region, app_id, job_id LIMIT ?`)
	qNextDue = query(`SELECT data FROM jobs WHERE status = 'RUNNING' ORDER BY due LIMIT 1`)
)
