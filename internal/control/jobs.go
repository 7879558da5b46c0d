package control

import (
	"context"
	"errors"
	"net/http"
	"time"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
	"github.com/amplifylite/amplifylite/internal/backend"
)

// Job control (issue 11, item 3):
//
//	GET  /_amplifylite/jobs/config   how jobs finish: {"mode":"auto","duration":"1s","durations":{"GenerateBackendAPIModels":"5s"}}
//	PUT  /_amplifylite/jobs/config   change it (members left out keep their values); answers the result
//	POST /_amplifylite/jobs/advance  finish the matching RUNNING jobs now; answers them

const (
	jobsConfigPath  = "/_amplifylite/jobs/config"
	jobsAdvancePath = "/_amplifylite/jobs/advance"
)

// Jobs is the domain's job control, which the server hands to the plane
// once the domain exists (SetJobs).
type Jobs interface {
	JobPolicy() backend.JobPolicy
	SetJobPolicy(backend.JobPolicy) error
	AdvanceJobs(ctx context.Context, f backend.JobFilter, status, message string) ([]backend.FinishedJob, error)
}

// SetJobs gives the plane the domain's job control; until then the job
// endpoints answer 503.
func (p *Plane) SetJobs(j Jobs) { p.jobs = j }

func (p *Plane) jobControl() (Jobs, error) {
	if p.jobs == nil {
		return nil, errorf(http.StatusServiceUnavailable, "ServiceUnavailableException", "Job control is not available yet")
	}
	return p.jobs, nil
}

// jobsConfig is the wire form of a backend.JobPolicy.
type jobsConfig struct {
	Mode      string            `json:"mode"`
	Duration  string            `json:"duration"`
	Durations map[string]string `json:"durations"`
}

func jobsConfigOf(pol backend.JobPolicy) jobsConfig {
	c := jobsConfig{Mode: string(pol.Mode), Duration: pol.Duration.String(), Durations: map[string]string{}}
	for op, d := range pol.Durations {
		c.Durations[op] = d.String()
	}
	return c
}

func (p *Plane) getJobsConfig(w http.ResponseWriter, r *http.Request) error {
	jobs, err := p.jobControl()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, jobsConfigOf(jobs.JobPolicy()))
	return nil
}

func (p *Plane) putJobsConfig(w http.ResponseWriter, r *http.Request) error {
	jobs, err := p.jobControl()
	if err != nil {
		return err
	}
	var in struct {
		Mode      *string           `json:"mode"`
		Duration  *string           `json:"duration"`
		Durations map[string]string `json:"durations"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	pol := jobs.JobPolicy()
	if in.Mode != nil {
		pol.Mode = backend.JobMode(*in.Mode)
	}
	if in.Duration != nil {
		d, err := time.ParseDuration(*in.Duration)
		if err != nil {
			return badRequest("duration: %v", err)
		}
		pol.Duration = d
	}
	if in.Durations != nil {
		pol.Durations = map[string]time.Duration{}
		for op, v := range in.Durations {
			d, err := time.ParseDuration(v)
			if err != nil {
				return badRequest("durations.%s: %v", op, err)
			}
			pol.Durations[op] = d
		}
	}
	if err := jobs.SetJobPolicy(pol); err != nil {
		return domainError(err)
	}
	writeJSON(w, http.StatusOK, jobsConfigOf(jobs.JobPolicy()))
	return nil
}

// advancedJob is a job /_amplifylite/jobs/advance finished: the API's job
// structure and the partition it belongs to.
type advancedJob struct {
	ab.BackendJobRespObj
	Account string `json:"account"`
	Region  string `json:"region"`
}

func (p *Plane) advanceJobs(w http.ResponseWriter, r *http.Request) error {
	jobs, err := p.jobControl()
	if err != nil {
		return err
	}
	var in struct {
		Account     string `json:"account"`
		Region      string `json:"region"`
		AppID       string `json:"appId"`
		Environment string `json:"environment"`
		Operation   string `json:"operation"`
		Status      string `json:"status"`
		Error       string `json:"error"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	if in.Status == "" {
		in.Status = backend.StatusCompleted
	}
	f := backend.JobFilter{Account: in.Account, Region: in.Region, AppID: in.AppID, Environment: in.Environment, Operation: in.Operation}
	done, err := jobs.AdvanceJobs(r.Context(), f, in.Status, in.Error)
	if err != nil {
		return domainError(err)
	}
	out := struct {
		Jobs []advancedJob `json:"jobs"`
	}{Jobs: make([]advancedJob, len(done))}
	for i, d := range done {
		out.Jobs[i] = advancedJob{BackendJobRespObj: d.Wire(), Account: d.Partition.Account, Region: d.Partition.Region}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// domainError shows the domain's client errors as the plane's.
func domainError(err error) error {
	var be *backend.Error
	if errors.As(err, &be) && be.Kind == backend.BadRequest {
		return badRequest("%s", be.Message)
	}
	return err
}
