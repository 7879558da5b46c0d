package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
	"github.com/amplifylite/amplifylite/internal/backend"
)

// The control plane's job endpoints:
//
//	GET  /_amplifylite/jobs/config   how jobs finish: {"mode":"auto","duration":"1s","durations":{"GenerateBackendAPIModels":"5s"}}
//	PUT  /_amplifylite/jobs/config   change it (members left out keep their values); answers the result
//	POST /_amplifylite/jobs/advance  finish the matching RUNNING jobs now; answers them

const (
	jobsConfigPath  = "/_amplifylite/jobs/config"
	jobsAdvancePath = "/_amplifylite/jobs/advance"
)

// jobsConfig is the wire form of a backend.JobPolicy.
type jobsConfig struct {
	Mode      string            `json:"mode"`
	Duration  string            `json:"duration"`
	Durations map[string]string `json:"durations"`
}

func jobsConfigOf(p backend.JobPolicy) jobsConfig {
	c := jobsConfig{Mode: string(p.Mode), Duration: p.Duration.String(), Durations: map[string]string{}}
	for op, d := range p.Durations {
		c.Durations[op] = d.String()
	}
	return c
}

// serveJobControl answers the job endpoints; ok is false for other paths.
func (s *Server) serveJobControl(w http.ResponseWriter, r *http.Request) (op string, ok bool) {
	switch {
	case r.URL.Path == jobsConfigPath && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, jobsConfigOf(s.svc.JobPolicy()))
		return "GetJobsConfig", true
	case r.URL.Path == jobsConfigPath && r.Method == http.MethodPut:
		return "PutJobsConfig", s.putJobsConfig(w, r)
	case r.URL.Path == jobsAdvancePath && r.Method == http.MethodPost:
		return "AdvanceJobs", s.advanceJobs(w, r)
	case r.URL.Path == jobsConfigPath || r.URL.Path == jobsAdvancePath:
		writeError(w, &wireError{Type: "MethodNotAllowedException", Status: http.StatusMethodNotAllowed, Message: r.Method + " is not allowed on " + r.URL.Path})
		return "-", true
	}
	return "", false
}

func (s *Server) putJobsConfig(w http.ResponseWriter, r *http.Request) bool {
	var in struct {
		Mode      *string           `json:"mode"`
		Duration  *string           `json:"duration"`
		Durations map[string]string `json:"durations"`
	}
	if !readControlJSON(w, r, &in) {
		return true
	}
	p := s.svc.JobPolicy()
	if in.Mode != nil {
		p.Mode = backend.JobMode(*in.Mode)
	}
	if in.Duration != nil {
		d, err := time.ParseDuration(*in.Duration)
		if err != nil {
			writeError(w, badRequest("duration: "+err.Error()))
			return true
		}
		p.Duration = d
	}
	if in.Durations != nil {
		p.Durations = map[string]time.Duration{}
		for op, v := range in.Durations {
			d, err := time.ParseDuration(v)
			if err != nil {
				writeError(w, badRequest("durations."+op+": "+err.Error()))
				return true
			}
			p.Durations[op] = d
		}
	}
	if err := s.svc.SetJobPolicy(p); err != nil {
		writeError(w, toWire(err, s.log, ""))
		return true
	}
	writeJSON(w, http.StatusOK, jobsConfigOf(s.svc.JobPolicy()))
	return true
}

// advancedJob is a job /_amplifylite/jobs/advance finished: the API's job
// structure and the partition it belongs to.
type advancedJob struct {
	ab.BackendJobRespObj
	Account string `json:"account"`
	Region  string `json:"region"`
}

func (s *Server) advanceJobs(w http.ResponseWriter, r *http.Request) bool {
	var in struct {
		Account     string `json:"account"`
		Region      string `json:"region"`
		AppID       string `json:"appId"`
		Environment string `json:"environment"`
		Operation   string `json:"operation"`
		Status      string `json:"status"`
		Error       string `json:"error"`
	}
	if !readControlJSON(w, r, &in) {
		return true
	}
	if in.Status == "" {
		in.Status = backend.StatusCompleted
	}
	f := backend.JobFilter{Account: in.Account, Region: in.Region, AppID: in.AppID, Environment: in.Environment, Operation: in.Operation}
	done, err := s.svc.AdvanceJobs(r.Context(), f, in.Status, in.Error)
	if err != nil {
		writeError(w, toWire(err, s.log, ""))
		return true
	}
	out := struct {
		Jobs []advancedJob `json:"jobs"`
	}{Jobs: make([]advancedJob, len(done))}
	for i, d := range done {
		out.Jobs[i] = advancedJob{BackendJobRespObj: d.Wire(), Account: d.Partition.Account, Region: d.Partition.Region}
	}
	writeJSON(w, http.StatusOK, out)
	return true
}

// readBody reads a request body of at most MaxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, errBodyTooLarge
	}
	if err != nil {
		return nil, badRequest("Could not read the request body: " + err.Error())
	}
	return body, nil
}

// readControlJSON decodes a control-plane request body (empty = {}); on
// failure it answers 400 and returns false.
func readControlJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := readBody(w, r)
	if err == nil && len(body) > 0 {
		if err = json.Unmarshal(body, v); err != nil {
			err = badRequest("Could not parse request body into json: " + err.Error())
		}
	}
	if err != nil {
		writeError(w, toWire(err, slog.New(slog.DiscardHandler), ""))
		return false
	}
	return true
}
