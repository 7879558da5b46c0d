package record

import (
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

// JobRow is a job as its row stores it: the job with its times in UTC, its
// JSON document without the payload (Data), and the payload (nil when the
// job has none), kept apart so that listings neither read nor decode it.
type JobRow struct {
	backend.Job
	Data, Payload []byte
}

// EncodeJob returns j's row.
func EncodeJob(j *backend.Job) (*JobRow, error) {
	r := &JobRow{Job: *j}
	r.Created, r.Updated, r.Due = r.Created.UTC(), r.Updated.UTC(), r.Due.UTC()
	if len(r.Job.Payload) > 0 {
		r.Payload = r.Job.Payload
	}
	var err error
	r.Data, err = json.Marshal(jobData{Job: &r.Job})
	return r, err
}

// jobData is a job's JSON document: the job without its payload.
type jobData struct {
	*backend.Job
	Payload json.RawMessage `json:"payload,omitempty"` // hides the Job's; always empty
}

func (r Records) Job(p backend.Partition, appID, jobID string) (*backend.Job, error) {
	return r.job("get job", r.Dialect.Job, p.Account, p.Region, appID, jobID)
}

// RunningJob returns the RUNNING job listed under the environment, if any.
func (r Records) RunningJob(p backend.Partition, appID, env string) (*backend.Job, error) {
	return r.job("get running job", r.Dialect.RunningJob, p.Account, p.Region, appID, env)
}

// job decodes the (data, payload) row q returns; nil when none.
func (r Records) job(op, q string, args ...any) (*backend.Job, error) {
	var data, payload []byte
	err := r.DB.QueryRow(q, args...).Scan(&data, &payload)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, Wrap(op, err)
	}
	j := new(backend.Job)
	if err := decodeJob(data, j); err != nil {
		return nil, Wrap(op, err)
	}
	if len(payload) > 0 {
		j.Payload = payload
	}
	return j, nil
}

// JobFilter says which of a backend.JobQuery's conditions are set; it
// selects a Dialect's listing query.
type JobFilter int

// The conditions, in the order their values follow the key.
const (
	ByJobID JobFilter = 1 << iota
	ByOperation
	ByStatus
	AfterCursor
	AllFilters
)

// Jobs pages through the listing in (created, job_id) order, starting
// strictly after q.After; a Limit of zero or less means no limit. The jobs
// have no Payload.
func (r Records) Jobs(p backend.Partition, appID, env string, q backend.JobQuery) ([]backend.Job, error) {
	var f JobFilter
	args := []any{p.Account, p.Region, appID, env}
	if q.JobID != "" {
		f |= ByJobID
		args = append(args, q.JobID)
	}
	if q.Operation != "" {
		f |= ByOperation
		args = append(args, q.Operation)
	}
	if q.Status != "" {
		f |= ByStatus
		args = append(args, q.Status)
	}
	if q.After != nil {
		f |= AfterCursor
		args = append(args, r.Dialect.Time(q.After.Created), q.After.JobID)
	}
	var limit any = q.Limit
	if q.Limit <= 0 {
		limit = r.Dialect.NoLimit
	}
	return list[backend.Job](r, "list jobs", r.Dialect.Jobs[f], append(args, limit)...)
}

func (r Records) HasJobs(p backend.Partition, appID, env string) (bool, error) {
	var has bool
	err := r.DB.QueryRow(r.Dialect.HasJobs, p.Account, p.Region, appID, env).Scan(&has)
	return has, Wrap("has jobs", err)
}

// DueJobs returns running jobs due at or before now, soonest first; a limit
// of zero or less means no limit.
func (r Records) DueJobs(now time.Time, limit int) ([]backend.JobRef, error) {
	var lim any = limit
	if limit <= 0 {
		lim = r.Dialect.NoLimit
	}
	rows, err := r.DB.Query(r.Dialect.DueJobs, r.Dialect.Time(now), lim)
	if err != nil {
		return nil, Wrap("list due jobs", err)
	}
	defer rows.Close()
	var refs []backend.JobRef
	for rows.Next() {
		var ref backend.JobRef
		if err := rows.Scan(&ref.Partition.Account, &ref.Partition.Region, &ref.AppID, &ref.JobID); err != nil {
			return nil, Wrap("list due jobs", err)
		}
		refs = append(refs, ref)
	}
	return refs, Wrap("list due jobs", rows.Err())
}

// NextDue returns the earliest Due time of any RUNNING job.
func (r Records) NextDue() (time.Time, bool, error) {
	j, err := get[backend.Job](r, "next due job", r.Dialect.NextDue)
	if j == nil {
		return time.Time{}, false, err
	}
	return j.Due, true, nil
}

// AppJobs lists every job of the app with its payload, by (created, job_id).
func (r Records) AppJobs(p backend.Partition, appID string) ([]backend.Job, error) {
	rows, err := r.DB.Query(r.Dialect.AppJobs, p.Account, p.Region, appID)
	if err != nil {
		return nil, Wrap("list app jobs", err)
	}
	defer rows.Close()
	var out []backend.Job
	for rows.Next() {
		var data, payload []byte
		if err := rows.Scan(&data, &payload); err != nil {
			return nil, Wrap("list app jobs", err)
		}
		var j backend.Job
		if err := decodeJob(data, &j); err != nil {
			return nil, Wrap("list app jobs", err)
		}
		if len(payload) > 0 {
			j.Payload = payload
		}
		out = append(out, j)
	}
	return out, Wrap("list app jobs", rows.Err())
}
