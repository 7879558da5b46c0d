package backend

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
)

// Job control: how jobs finish (the control plane's /_amplifylite/jobs/...).
// In auto mode a job is due its duration after it starts (per operation, or
// the default); in manual mode the runner finishes nothing and jobs stay
// RUNNING until UpdateBackendJob or AdvanceJobs finishes them. A job's due
// time is set when it starts, so switching from manual back to auto finishes
// the jobs whose time has passed at once.

// JobMode is how jobs finish.
type JobMode string

// Job modes.
const (
	JobsAuto   JobMode = "auto"
	JobsManual JobMode = "manual"
)

// JobPolicy is how jobs finish. It belongs to one server: replicas on a
// shared store each have their own.
type JobPolicy struct {
	Mode      JobMode
	Duration  time.Duration            // of every job in auto mode, unless Durations names its operation
	Durations map[string]time.Duration // by operation name
}

// jobPolicy guards the Service's JobPolicy.
type jobPolicy struct {
	mu sync.RWMutex
	p  JobPolicy
}

// JobPolicy returns how jobs finish now.
func (s *Service) JobPolicy() JobPolicy {
	s.policy.mu.RLock()
	defer s.policy.mu.RUnlock()
	p := s.policy.p
	p.Durations = maps.Clone(p.Durations)
	return p
}

// SetJobPolicy changes how jobs finish from now on. Operation names and
// durations are checked; the policy is kept whole or not at all.
func (s *Service) SetJobPolicy(p JobPolicy) error {
	switch p.Mode {
	case JobsAuto, JobsManual:
	default:
		return badRequestf("mode must be auto or manual, not %q", p.Mode)
	}
	if p.Duration < 0 {
		return badRequestf("duration must not be negative")
	}
	for op, d := range p.Durations {
		if _, ok := jobKinds[op]; !ok {
			return badRequestf("durations: %q is not an operation that starts a job", op)
		}
		if d < 0 {
			return badRequestf("durations: the duration of %s must not be negative", op)
		}
	}
	p.Durations = maps.Clone(p.Durations)
	s.policy.mu.Lock()
	s.policy.p = p
	s.policy.mu.Unlock()
	s.notify() // due times may have come (auto again) or gone (manual)
	return nil
}

// jobDuration is how long a job of op stays RUNNING in auto mode.
func (s *Service) jobDuration(op string) time.Duration {
	s.policy.mu.RLock()
	defer s.policy.mu.RUnlock()
	if d, ok := s.policy.p.Durations[op]; ok {
		return d
	}
	return s.policy.p.Duration
}

// manual reports whether jobs are finished only when told.
func (s *Service) manual() bool {
	s.policy.mu.RLock()
	defer s.policy.mu.RUnlock()
	return s.policy.p.Mode == JobsManual
}

// JobFilter selects RUNNING jobs; empty members match anything.
type JobFilter struct {
	Account, Region, AppID, Environment, Operation string
}

// AdvanceJobs finishes every RUNNING job the filter matches now, with status
// COMPLETED (applying its effects, or failing it when they cannot be applied)
// or FAILED (with message, or a default one). It returns the jobs it
// finished, as they ended.
func (s *Service) AdvanceJobs(ctx context.Context, f JobFilter, status, message string) ([]FinishedJob, error) {
	if status != StatusCompleted && status != StatusFailed {
		return nil, badRequestf("status must be COMPLETED or FAILED, not %q", status)
	}
	if message == "" {
		message = "The job was marked FAILED through /_amplifylite/jobs/advance."
	}
	var refs []JobRef
	err := s.store.View(ctx, func(tx Tx) error {
		running, err := tx.DueJobs(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), 1<<30)
		if err != nil {
			return err
		}
		for _, ref := range running {
			p := ref.Partition
			if f.Account != "" && p.Account != f.Account || f.Region != "" && p.Region != f.Region || f.AppID != "" && ref.AppID != f.AppID {
				continue
			}
			if f.Environment != "" || f.Operation != "" {
				j, err := tx.Job(p, ref.AppID, ref.JobID)
				if err != nil {
					return err
				}
				if j == nil || f.Environment != "" && !slices.Contains(j.Envs, f.Environment) || f.Operation != "" && j.Operation != f.Operation {
					continue
				}
			}
			refs = append(refs, ref)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := []FinishedJob{}
	for _, ref := range refs {
		j, err := s.finishWith(ctx, ref.Partition, ref.AppID, ref.JobID, status, "", message)
		if err != nil {
			return out, err
		}
		if j != nil { // nil: something else finished it meanwhile
			out = append(out, FinishedJob{Partition: ref.Partition, Job: *j})
		}
	}
	return out, nil
}

// FinishedJob is a job AdvanceJobs finished, with its partition.
type FinishedJob struct {
	Partition Partition
	Job       Job
}

// Wire shows the job as the API's job structure does, listed under its first
// environment.
func (f FinishedJob) Wire() ab.BackendJobRespObj { return jobObj(&f.Job, f.Job.Envs[0]) }

// String names the policy for logs.
func (p JobPolicy) String() string {
	return fmt.Sprintf("%s, %v, %v", p.Mode, p.Duration, p.Durations)
}
