package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/record"
)

// PutJob inserts or replaces the job and re-lists it under its Envs.
func (t *tx) PutJob(p backend.Partition, j *backend.Job) error {
	return record.Wrap("put job", t.putJob(p, j))
}

// AddJob inserts a new job and lists it, without looking for an old one.
func (t *tx) AddJob(p backend.Partition, j *backend.Job) error {
	return record.Wrap("add job", t.writeJob(p, j, qListJob))
}

// UpdateJob rewrites a job whose creation time and environments are those
// it was stored with: its listing rows are updated in place.
func (t *tx) UpdateJob(p backend.Partition, j *backend.Job) error {
	return record.Wrap("update job", t.writeJob(p, j, qRelistJob))
}

// writeJob writes the job row and then each listing row with list.
func (t *tx) writeJob(p backend.Partition, j *backend.Job, list string) error {
	r, err := record.EncodeJob(j)
	if err != nil {
		return err
	}
	return t.writeRecord(p, r, list)
}

func (t *tx) writeRecord(p backend.Partition, r *record.JobRow, list string) error {
	if t.readOnly {
		return record.ErrReadOnly
	}
	err := t.Exec(qPutJob, p.Account, p.Region, r.AppID, r.ID, nanos(r.Created), r.Status, nanos(r.Due), nanos(r.Updated), r.Data, r.Payload)
	if err != nil {
		return err
	}
	for _, env := range r.Envs {
		if err := t.Exec(list, p.Account, p.Region, r.AppID, env, nanos(r.Created), r.ID, r.Status, r.Operation); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) putJob(p backend.Partition, j *backend.Job) error {
	r, err := record.EncodeJob(j)
	if err != nil {
		return err
	}
	if t.readOnly {
		return record.ErrReadOnly
	}
	// How the job is listed now: a new job is not; a job that keeps its
	// creation time and environments (every update the domain makes) keeps
	// its listing rows, whose status and operation are updated in place
	// (a missing one is written);
	// otherwise the old rows go (listings are keyed by created) and new ones
	// are written.
	var created int64
	var envs []byte
	err = t.QueryRow(qJobListing, p.Account, p.Region, r.AppID, r.ID).Scan(&created, &envs)
	listed := err == nil
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	case created != nanos(r.Created).(int64) || !sameEnvs(envs, r.Envs):
		if err := t.Exec(qUnlistJob, p.Account, p.Region, r.AppID, r.ID); err != nil {
			return err
		}
		listed = false
	}
	if listed {
		return t.writeRecord(p, r, qRelistJob)
	}
	return t.writeRecord(p, r, qListJob)
}

// sameEnvs reports whether the stored job's environments (JSON) are envs.
func sameEnvs(stored []byte, envs []string) bool {
	var old []string
	return json.Unmarshal(stored, &old) == nil && slices.Equal(old, envs)
}

// PurgeJobs deletes up to limit finished jobs, of every partition, last
// updated before the given time, oldest first, with their listings.
func (t *tx) PurgeJobs(before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	if err := t.Exec(qUnlistPurged, nanos(before), limit); err != nil {
		return 0, record.Wrap("purge jobs", err)
	}
	st, err := t.c.stmt(t.ctx, qPurgeJobs)
	if err != nil {
		return 0, record.Wrap("purge jobs", err)
	}
	res, err := st.ExecContext(t.ctx, nanos(before), limit)
	if err != nil {
		return 0, record.Wrap("purge jobs", err)
	}
	n, err := res.RowsAffected()
	return int(n), record.Wrap("purge jobs", err)
}

// jobsQueries is the listing query for every record.JobFilter.
func jobsQueries() (qs [record.AllFilters]string) {
	for f := range record.AllFilters {
		qs[f] = query(jobsSQL(f))
	}
	return qs
}

func jobsSQL(f record.JobFilter) string {
	// Without statistics the planner may walk the primary key and filter;
	// name the index that reads matching rows already in page order.
	index := ""
	switch {
	case f&record.ByStatus != 0:
		index = " INDEXED BY job_envs_by_status"
	case f&record.ByOperation != 0:
		index = " INDEXED BY job_envs_by_operation"
	}
	var sb strings.Builder
	sb.WriteString(`SELECT j.data FROM job_envs e` + index + `
		JOIN jobs j ON j.account = e.account AND j.region = e.region AND j.app_id = e.app_id AND j.job_id = e.job_id
		WHERE e.account = ? AND e.region = ? AND e.app_id = ? AND e.env = ?`)
	if f&record.ByJobID != 0 {
		// Through the jobs key, then the listing's primary key.
		sb.WriteString(` AND j.job_id = ? AND e.created = j.created`)
	}
	if f&record.ByOperation != 0 {
		sb.WriteString(` AND e.operation = ?`)
	}
	if f&record.ByStatus != 0 {
		sb.WriteString(` AND e.status = ?`)
	}
	if f&record.AfterCursor != 0 {
		sb.WriteString(` AND (e.created, e.job_id) > (?, ?)`)
	}
	sb.WriteString(` ORDER BY e.created, e.job_id LIMIT ?`)
	return sb.String()
}

// Statements.
var (
	qUnlistJob = query(`DELETE FROM job_envs WHERE (account, region, app_id, env, created, job_id) IN (
			SELECT j.account, j.region, j.app_id, e.value, j.created, j.job_id
			FROM jobs j, json_each(j.data, '$.envs') e
			WHERE j.account = ? AND j.region = ? AND j.app_id = ? AND j.job_id = ?)`)
	qPutJob = query(`INSERT INTO jobs (account, region, app_id, job_id, created, status, due, updated, data, payload)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET created = excluded.created, status = excluded.status, due = excluded.due,
			updated = excluded.updated, data = excluded.data, payload = excluded.payload`)
	qJobListing = query(`SELECT created, data -> '$.envs' FROM jobs WHERE account = ? AND region = ? AND app_id = ? AND job_id = ?`)
	qRelistJob  = query(`INSERT INTO job_envs (account, region, app_id, env, created, job_id, status, operation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET status = excluded.status, operation = excluded.operation`)
	qListJob = query(`INSERT INTO job_envs (account, region, app_id, env, created, job_id, status, operation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`)
	// The purge selects the same jobs twice in one transaction: first to
	// drop their listings, then the jobs themselves ((updated, rowid) is a
	// total order).
	qUnlistPurged = query(`DELETE FROM job_envs WHERE (account, region, app_id, env, created, job_id) IN (
			SELECT j.account, j.region, j.app_id, e.value, j.created, j.job_id
			FROM (SELECT * FROM jobs WHERE status <> 'RUNNING' AND updated < ?1 ORDER BY updated, rowid LIMIT ?2) j,
				json_each(j.data, '$.envs') e)`)
	qPurgeJobs = query(`DELETE FROM jobs WHERE rowid IN (
			SELECT rowid FROM jobs WHERE status <> 'RUNNING' AND updated < ?1 ORDER BY updated, rowid LIMIT ?2)`)
)
