package backend

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// jobKind is one kind of asynchronous job: the operation that creates it,
// the type of its stored request, and its effects when it completes. Each
// job-creating operation registers its kind beside itself (registerJob); the
// checks made when a job is created are in the operation.
type jobKind struct {
	op      string
	payload reflect.Type // *P
	decode  func(raw json.RawMessage) (any, error)
	apply   func(s *Service, a *applying, payload any) error
}

// applying is what a kind's effects work with: the transaction that
// completes the job, the job, and schema work done outside the transaction.
type applying struct {
	tx   Tx
	p    Partition
	job  *Job
	env  string // the environment the job is listed under first
	work schemaWork
}

var jobKinds = map[string]jobKind{}

// registerJob registers the kind of job op creates: its request is a P, and
// apply performs its effects. It returns nothing useful, so that a kind can
// be registered by a package-level declaration next to its operation.
func registerJob[P any](op string, apply func(s *Service, a *applying, in *P) error) struct{} {
	if _, dup := jobKinds[op]; dup {
		panic("backend: job kind registered twice: " + op)
	}
	jobKinds[op] = jobKind{
		op:      op,
		payload: reflect.TypeFor[*P](),
		decode: func(raw json.RawMessage) (any, error) {
			return decodeRecord[P]("stored request", raw)
		},
		apply: func(s *Service, a *applying, v any) error { return apply(s, a, v.(*P)) },
	}
	return struct{}{}
}

// encodePayload checks that payload is the request type kind registered and
// encodes it for the job record.
func encodePayload(kind string, payload any) (json.RawMessage, error) {
	k, ok := jobKinds[kind]
	if !ok {
		return nil, fmt.Errorf("no job kind %q is registered", kind)
	}
	if t := reflect.TypeOf(payload); t != k.payload {
		return nil, fmt.Errorf("job kind %s takes a %v, not a %v", kind, k.payload, t)
	}
	return json.Marshal(payload)
}

// apply performs a completing job's effects inside its transaction. State
// may have moved since the request was accepted (a job forced to COMPLETED
// late, an app removed meanwhile): what can no longer be done fails the job,
// and so does a job whose kind is unknown or whose request does not decode.
// Schema processing is not done here but asked of work (see finish).
func (s *Service) apply(tx Tx, p Partition, j *Job, work schemaWork) error {
	k, ok := jobKinds[j.Kind]
	if !ok {
		return failJob("The job could not be applied: amplifylite does not know jobs of kind %q", j.Kind)
	}
	if err := checkVersion("the request of job "+j.ID, j.V); err != nil {
		return failJob("The job could not be applied: %v", err)
	}
	in, err := k.decode(j.Payload)
	if err != nil {
		return failJob("The job could not be applied: its stored request does not decode: %v", err)
	}
	return k.apply(s, &applying{tx: tx, p: p, job: j, env: j.Envs[0], work: work}, in)
}
