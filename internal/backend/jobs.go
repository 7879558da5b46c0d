package backend

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
)

// jobSpec describes a job to start.
type jobSpec struct {
	appID string
	envs  []string // environments it is listed under; envs[0] is returned
	// envsFrom, when set, computes envs from the state inside the transaction.
	envsFrom func(tx Tx) ([]string, error)
	kind     string // operation name
	req      any    // the job's request, of the type its kind registers (jobkinds.go)
	// check verifies the request against current state (existence,
	// conflicts) inside the transaction that creates the job.
	check func(tx Tx) error
}

// startJob validates spec against the state and, in the same transaction,
// records the job as RUNNING.
func (s *Service) startJob(ctx context.Context, p Partition, spec jobSpec) (*Job, error) {
	payload, err := encodePayload(spec.kind, spec.req)
	if err != nil {
		return nil, fmt.Errorf("encode job request: %w", err)
	}
	now := s.now()
	job := &Job{
		ID: newID(), AppID: spec.appID, Envs: spec.envs, Kind: spec.kind, Operation: spec.kind,
		Status: StatusRunning, Created: now, Updated: now, Due: now.Add(s.jobDuration(spec.kind)), V: recordVersion, Payload: payload,
	}
	err = s.update(ctx, func(tx Tx) error {
		if spec.envsFrom != nil {
			envs, err := spec.envsFrom(tx)
			if err != nil {
				return err
			}
			job.Envs = envs
		}
		for _, env := range job.Envs {
			running, err := tx.RunningJob(p, spec.appID, env)
			if err != nil {
				return err
			}
			if running != nil {
				return pendingJobError(spec.appID, env)
			}
		}
		if spec.check != nil {
			if err := spec.check(tx); err != nil {
				return err
			}
		}
		return tx.AddJob(p, job)
	})
	if err != nil {
		return nil, err
	}
	s.notifyDue(job.Due)
	s.jobChanged(p, job, "")
	return job, nil
}

// FinishDueJobs completes every RUNNING job whose time has come and returns
// how many it finished. A job that cannot be finished (a store error) is
// skipped and the others still are; the errors are returned together.
func (s *Service) FinishDueJobs(ctx context.Context) (int, error) {
	if s.manual() {
		return 0, nil
	}
	const batch = 100
	n := 0
	var errs []error
	skipped := map[JobRef]bool{}
	for {
		var due []JobRef
		err := s.store.View(ctx, func(tx Tx) (err error) {
			due, err = tx.DueJobs(s.now(), batch+len(skipped))
			return err
		})
		if err != nil {
			return n, errors.Join(append(errs, fmt.Errorf("list due jobs: %w", err))...)
		}
		progress := false
		for _, ref := range due {
			if skipped[ref] {
				continue
			}
			progress = true
			if _, err := s.finish(ctx, ref.Partition, ref.AppID, ref.JobID, StatusCompleted, ""); err != nil {
				if ctx.Err() != nil {
					return n, ctx.Err()
				}
				errs = append(errs, err)
				skipped[ref] = true
				continue
			}
			n++
		}
		if !progress {
			return n, errors.Join(errs...)
		}
	}
}

// NextDue returns when the earliest RUNNING job is due, if any (none in
// manual mode).
func (s *Service) NextDue(ctx context.Context) (t time.Time, ok bool, err error) {
	if s.manual() {
		return time.Time{}, false, nil
	}
	err = s.store.View(ctx, func(tx Tx) error {
		t, ok, err = tx.NextDue()
		return err
	})
	return t, ok, err
}

// finish moves a RUNNING job to a terminal status. COMPLETED applies the
// job's effects in the same transaction; when they cannot be applied, the job
// ends FAILED instead and nothing else changes.
// It returns the finished job, or nil when the job was no longer RUNNING.
//
// Heavy work (schema validation, model generation) is done outside the write
// transaction, which would otherwise hold up every other write: apply asks for
// it with needSchema, the transaction is abandoned, the work is done, and the
// transaction runs again against the state as it is then.
func (s *Service) finish(ctx context.Context, p Partition, appID, jobID, status, operation string) (*Job, error) {
	return s.finishWith(ctx, p, appID, jobID, status, operation, "")
}

// finishWith is finish with the error message of a job set to FAILED (""
// for the default one).
func (s *Service) finishWith(ctx context.Context, p Partition, appID, jobID, status, operation, message string) (*Job, error) {
	return s.finishIn(ctx, p, appID, "", jobID, status, operation, message)
}

// finishIn is finishWith for a job listed under env: one that is not is left
// alone (nil). An empty env accepts the job wherever it is listed.
func (s *Service) finishIn(ctx context.Context, p Partition, appID, env, jobID, status, operation, message string) (*Job, error) {
	if message == "" {
		message = "The job was marked FAILED through UpdateBackendJob."
	}
	var final *Job
	set := func(tx Tx, status, msg string) (*Job, error) {
		final = nil
		j, err := tx.Job(p, appID, jobID)
		if err != nil || j == nil || j.Status != StatusRunning || env != "" && !slices.Contains(j.Envs, env) {
			return nil, err
		}
		j.Status, j.Error, j.Updated = status, msg, s.now()
		if operation != "" {
			j.Operation = operation
		}
		final = j
		return j, tx.UpdateJob(p, j)
	}
	work := schemaWork{}
	var err error
	for attempt := 0; ; attempt++ {
		err = s.update(ctx, func(tx Tx) error {
			if status == StatusFailed {
				_, err := set(tx, StatusFailed, message)
				return err
			}
			j, err := set(tx, StatusCompleted, "")
			if err != nil || j == nil {
				return err
			}
			if err := s.applySafely(tx, p, j, work); err != nil {
				return err
			}
			return markPushed(tx, p, j)
		})
		var need *needSchema
		if !errors.As(err, &need) {
			break
		}
		if attempt == maxSchemaAttempts {
			err = failJob("The API's transformSchema kept changing while the job ran; try again")
			break
		}
		work.process(s, need)
	}
	var failure *jobFailure
	if errors.As(err, &failure) {
		err = s.update(ctx, func(tx Tx) error {
			_, err := set(tx, StatusFailed, failure.msg)
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("finish job %s: %w", jobID, err)
	}
	if final != nil {
		s.jobChanged(p, final, StatusRunning)
	}
	return final, nil
}

// markPushed records, on each environment a completed job is listed under
// and that still exists, that its deployment changed then (the
// lastPushTimeStamp of its artifacts).
func markPushed(tx Tx, p Partition, j *Job) error {
	for _, name := range j.Envs {
		if err := tx.MarkPushed(p, j.AppID, name, j.Updated); err != nil {
			return err
		}
	}
	return nil
}

// maxSchemaAttempts bounds how often finish processes a schema that changed
// under it before giving up on the job.
const maxSchemaAttempts = 3

// applySafely applies j's effects; a job whose stored request no longer
// decodes or whose kind is unknown fails, and so does one whose effects
// panic, so that one bad record never stops the runner.
func (s *Service) applySafely(tx Tx, p Partition, j *Job, work schemaWork) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = failJob("The job could not be applied: internal error: %v", v)
		}
	}()
	return s.apply(tx, p, j, work)
}

// GetBackendJob returns a job listed under the environment. Like every
// answer from the read cache (cache.go), it is shared: never modify it.
func (s *Service) GetBackendJob(ctx context.Context, p Partition, in *ab.GetBackendJobRequest) (*ab.GetBackendJobResponse, error) {
	key := readKey{op: ab.OpGetBackendJob, p: p, app: *in.AppId, env: *in.BackendEnvironmentName, q: *in.JobId}
	return cachedRead(s, key, func() (*ab.GetBackendJobResponse, error) { return s.getBackendJob(ctx, p, in) })
}

func (s *Service) getBackendJob(ctx context.Context, p Partition, in *ab.GetBackendJobRequest) (*ab.GetBackendJobResponse, error) {
	var job *Job
	err := s.store.View(ctx, func(tx Tx) (err error) {
		job, err = s.listedJob(tx, p, *in.AppId, *in.BackendEnvironmentName, *in.JobId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := ab.GetBackendJobResponse(jobObj(job, *in.BackendEnvironmentName))
	return &out, nil
}

func (s *Service) listedJob(tx Tx, p Partition, appID, env, jobID string) (*Job, error) {
	j, err := tx.Job(p, appID, jobID)
	if err != nil {
		return nil, err
	}
	if j == nil || !slices.Contains(j.Envs, env) {
		return nil, notFoundf(TypeJob, "Job %s not found for app %s and backend environment %s", jobID, appID, env)
	}
	return j, nil
}

// UpdateBackendJob sets a job's operation and/or status. Completing a RUNNING
// job applies its effects now; failing it discards them.
func (s *Service) UpdateBackendJob(ctx context.Context, p Partition, in *ab.UpdateBackendJobRequest) (*ab.UpdateBackendJobResponse, error) {
	app, env, id := *in.AppId, *in.BackendEnvironmentName, *in.JobId
	status, operation := str(in.Status), str(in.Operation)
	switch status {
	case "", StatusRunning, StatusCompleted, StatusFailed:
	default:
		return nil, badRequestf("1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, COMPLETED, FAILED]")
	}
	if in.Operation != nil {
		if _, ok := ab.OperationByName(operation); !ok {
			return nil, badRequestf("Value at 'operation' must be the name of an operation of the API, got '%s'", operation)
		}
	}
	if status == StatusCompleted || status == StatusFailed {
		// The usual request, finishing a RUNNING job, is one write
		// transaction; anything else is told apart below.
		finished, err := s.finishIn(ctx, p, app, env, id, status, operation, "")
		if err != nil {
			return nil, err
		}
		if finished != nil {
			out := ab.UpdateBackendJobResponse(jobObj(finished, env))
			return &out, nil
		}
	}
	var job *Job
	err := s.store.View(ctx, func(tx Tx) (err error) {
		job, err = s.listedJob(tx, p, app, env, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case job.Status != StatusRunning && status == StatusRunning:
		return nil, badRequestf("Job %s is %s; a finished job cannot go back to RUNNING", id, job.Status)
	case job.Status != StatusRunning && status != "" && status != job.Status:
		return nil, badRequestf("Job %s is already %s and cannot become %s", id, job.Status, status)
	case job.Status == StatusRunning && (status == StatusCompleted || status == StatusFailed):
		finished, err := s.finish(ctx, p, app, id, status, operation)
		if err != nil {
			return nil, err
		}
		if finished == nil {
			// Someone else (the runner, another request) finished it first.
			// Its outcome is this request's answer only when it is the one
			// asked for; otherwise the request is refused, as it would have
			// been a moment later.
			err := s.store.View(ctx, func(tx Tx) (err error) {
				job, err = s.listedJob(tx, p, app, env, id)
				return err
			})
			if err != nil {
				return nil, err
			}
			if job.Status != status {
				return nil, badRequestf("Job %s is already %s and cannot become %s", id, job.Status, status)
			}
			break
		}
		job = finished
	default: // only the operation (or nothing) changes
		err = s.update(ctx, func(tx Tx) error {
			j, err := s.listedJob(tx, p, app, env, id)
			if err != nil {
				return err
			}
			if operation != "" {
				j.Operation = operation
			}
			j.Updated = s.now()
			job = j
			return tx.UpdateJob(p, j)
		})
		if err != nil {
			return nil, err
		}
	}
	out := ab.UpdateBackendJobResponse(jobObj(job, env))
	return &out, nil
}

// ListBackendJobs pages through the jobs listed under an environment, oldest
// first. Answers are shared (see GetBackendJob).
func (s *Service) ListBackendJobs(ctx context.Context, p Partition, in *ab.ListBackendJobsRequest) (*ab.ListBackendJobsResponse, error) {
	limit := ""
	if in.MaxResults != nil {
		limit = strconv.Itoa(int(*in.MaxResults))
	}
	key := readKey{op: ab.OpListBackendJobs, p: p, app: *in.AppId, env: *in.BackendEnvironmentName,
		q: strings.Join([]string{str(in.JobId), str(in.Operation), str(in.Status), str(in.NextToken), limit}, "\x00")}
	return cachedRead(s, key, func() (*ab.ListBackendJobsResponse, error) { return s.listBackendJobs(ctx, p, in) })
}

func (s *Service) listBackendJobs(ctx context.Context, p Partition, in *ab.ListBackendJobsRequest) (*ab.ListBackendJobsResponse, error) {
	app, env := *in.AppId, *in.BackendEnvironmentName
	q := JobQuery{JobID: str(in.JobId), Operation: str(in.Operation), Status: str(in.Status), Limit: 25}
	if in.MaxResults != nil && *in.MaxResults > 0 {
		q.Limit = int(*in.MaxResults)
	}
	if tok := str(in.NextToken); tok != "" {
		c, err := s.decodePageToken(tok, p, app, env, q)
		if err != nil {
			return nil, err
		}
		q.After = c
	}
	var jobs []Job
	err := s.store.View(ctx, func(tx Tx) error {
		q := q
		q.Limit++ // one more tells whether another page exists
		var err error
		if jobs, err = tx.Jobs(p, app, env, q); err != nil || len(jobs) > 0 || q.After != nil {
			return err
		}
		a, err := tx.App(p, app)
		if err != nil || a != nil {
			return err
		}
		if has, err := tx.HasJobs(p, app, env); err != nil || has {
			return err
		}
		return appNotFound(app)
	})
	if err != nil {
		return nil, err
	}
	out := &ab.ListBackendJobsResponse{Jobs: []ab.BackendJobRespObj{}}
	if len(jobs) > q.Limit {
		jobs = jobs[:q.Limit]
		last := jobs[len(jobs)-1]
		out.NextToken = ab.String(s.encodePageToken(p, app, env, q, JobCursor{Created: last.Created, JobID: last.ID}))
	}
	for i := range jobs {
		out.Jobs = append(out.Jobs, jobObj(&jobs[i], env))
	}
	return out, nil
}

// jobObj shows j as listed under env. The model's three job structures have
// identical members, so this one converts to the others.
func jobObj(j *Job, env string) ab.BackendJobRespObj {
	o := ab.BackendJobRespObj{
		AppId: ab.String(j.AppID), JobId: ab.String(j.ID), Operation: ab.String(j.Operation), Status: ab.String(j.Status),
		CreateTime: ab.String(strconv.FormatInt(j.Created.UnixMilli(), 10)), UpdateTime: ab.String(strconv.FormatInt(j.Updated.UnixMilli(), 10)),
	}
	if env != "" {
		o.BackendEnvironmentName = ab.String(env)
	}
	if j.Error != "" {
		o.Error = ab.String(j.Error)
	}
	return o
}

// jobResponse is the answer of a job-creating operation.
func jobResponse[T any](j *Job, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	return recode[T](jobObj(j, j.Envs[0]))
}
