package postgres

import (
	"strconv"
	"strings"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/record"
	"github.com/jackc/pgx/v5"
)

// AddJob is PutJob: its statements go in one round trip already.
func (t *tx) AddJob(p backend.Partition, j *backend.Job) error { return t.PutJob(p, j) }

// UpdateJob is PutJob: its statements go in one round trip already.
func (t *tx) UpdateJob(p backend.Partition, j *backend.Job) error { return t.PutJob(p, j) }

// PutJob inserts or replaces the job and re-lists it under its Envs, in one
// round trip.
func (t *tx) PutJob(p backend.Partition, j *backend.Job) error {
	r, err := record.EncodeJob(j)
	if err != nil {
		return record.Wrap("put job", err)
	}
	envs := r.Envs
	if envs == nil {
		envs = []string{}
	}
	b := &pgx.Batch{}
	// Listings are keyed by created, so drop the old ones before upserting.
	b.Queue(qUnlistJob, p.Account, p.Region, r.AppID, r.ID)
	b.Queue(qPutJob, p.Account, p.Region, r.AppID, r.ID, r.Created, r.Status, r.Due, r.Updated, envs, r.Data, r.Payload)
	b.Queue(qListJob, p.Account, p.Region, r.AppID, envs, r.Created, r.ID, r.Status, r.Operation)
	return record.Wrap("put job", t.batch(b))
}

// PurgeJobs deletes up to limit finished jobs, of every partition, last
// updated before the given time, oldest first, with their listings.
func (t *tx) PurgeJobs(before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	if t.readOnly {
		return 0, record.Wrap("purge jobs", record.ErrReadOnly)
	}
	var n int
	err := t.QueryRow(qPurgeJobs, before, limit).Scan(&n)
	return n, record.Wrap("purge jobs", err)
}

// jobsQueries is the listing query for every record.JobFilter.
func jobsQueries() (qs [record.AllFilters]string) {
	for f := range record.AllFilters {
		qs[f] = jobsSQL(f)
	}
	return qs
}

func jobsSQL(f record.JobFilter) string {
	n := 4 // parameters used so far
	param := func() string {
		n++
		return "$" + strconv.Itoa(n)
	}
	var sb strings.Builder
	sb.WriteString(`SELECT j.data FROM job_envs e
		JOIN jobs j ON j.account = e.account AND j.region = e.region AND j.app_id = e.app_id AND j.job_id = e.job_id
		WHERE e.account = $1 AND e.region = $2 AND e.app_id = $3 AND e.env = $4`)
	if f&record.ByJobID != 0 {
		sb.WriteString(` AND e.job_id = ` + param())
	}
	if f&record.ByOperation != 0 {
		sb.WriteString(` AND e.operation = ` + param())
	}
	if f&record.ByStatus != 0 {
		sb.WriteString(` AND e.status = ` + param())
	}
	if f&record.AfterCursor != 0 {
		sb.WriteString(` AND (e.created, e.job_id) > (` + param() + `, ` + param() + `)`)
	}
	sb.WriteString(` ORDER BY e.created, e.job_id LIMIT ` + param())
	return sb.String()
}

// Statements; pgx prepares and caches each on every connection.
const (
	qUnlistJob = `DELETE FROM job_envs e USING jobs j
		WHERE j.account = $1 AND j.region = $2 AND j.app_id = $3 AND j.job_id = $4
		AND e.account = j.account AND e.region = j.region AND e.app_id = j.app_id
		AND e.env = ANY (j.envs) AND e.created = j.created AND e.job_id = j.job_id`
	qPutJob = `INSERT INTO jobs (account, region, app_id, job_id, created, status, due, updated, envs, data, payload)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (account, region, app_id, job_id) DO UPDATE SET created = excluded.created,
			status = excluded.status, due = excluded.due, updated = excluded.updated, envs = excluded.envs,
			data = excluded.data, payload = excluded.payload`
	qListJob = `INSERT INTO job_envs (account, region, app_id, env, created, job_id, status, operation)
		SELECT $1, $2, $3, env, $5, $6, $7, $8 FROM unnest($4::text[]) AS env
		ON CONFLICT DO NOTHING`
	// One statement drops the oldest finished jobs and their listings.
	qPurgeJobs = `WITH purged AS (
			SELECT account, region, app_id, job_id, created, envs FROM jobs
			WHERE status <> 'RUNNING' AND updated < $1 ORDER BY updated LIMIT $2
		), unlisted AS (
			DELETE FROM job_envs e USING purged p
			WHERE e.account = p.account AND e.region = p.region AND e.app_id = p.app_id
			AND e.env = ANY (p.envs) AND e.created = p.created AND e.job_id = p.job_id
		), deleted AS (
			DELETE FROM jobs j USING purged p
			WHERE j.account = p.account AND j.region = p.region AND j.app_id = p.app_id AND j.job_id = p.job_id
			RETURNING 1
		)
		SELECT count(*) FROM deleted`
)
