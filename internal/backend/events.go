package backend

import "time"

// JobEvent is a job's change of status, told to Config.OnJob once the
// transaction that made it is committed: its creation (OldStatus "", NewStatus
// RUNNING) and its end (RUNNING to COMPLETED or FAILED).
type JobEvent struct {
	Partition Partition
	AppID     string
	Envs      []string // every environment it is listed under; Envs[0] is the one returned
	JobID     string
	Operation string
	OldStatus string // "" when the job was created
	NewStatus string
	Error     string // why a FAILED job failed
	Created   time.Time
	Updated   time.Time // when the change was made
}

// jobChanged tells Config.OnJob that j, committed, was old before.
func (s *Service) jobChanged(p Partition, j *Job, old string) {
	if s.cfg.OnJob == nil {
		return
	}
	s.cfg.OnJob(JobEvent{Partition: p, AppID: j.AppID, Envs: j.Envs, JobID: j.ID, Operation: j.Operation,
		OldStatus: old, NewStatus: j.Status, Error: j.Error, Created: j.Created, Updated: j.Updated})
}
