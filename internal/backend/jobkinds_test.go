package backend

import (
	"errors"
	"strings"
	"testing"
)

type panickingJob struct{}

var _ = registerJob("TestPanickingJob", func(s *Service, a *applying, in *panickingJob) error {
	var m map[string]int
	m["boom"]++ // a nil map write: the kind of bug a record can trigger
	return nil
})

// TestApplySafely_APanicFailsTheJob: a kind whose effects panic fails its job
// with the reason instead of taking the runner (and the process) down.
func TestApplySafely_APanicFailsTheJob(t *testing.T) {
	s := &Service{}
	j := &Job{ID: "j", AppID: "a", Envs: []string{"dev"}, Kind: "TestPanickingJob", Payload: []byte(`{}`)}
	err := s.applySafely(nil, Partition{}, j, schemaWork{})
	var f *jobFailure
	if !errors.As(err, &f) || !strings.Contains(f.msg, "internal error") {
		t.Fatalf("applySafely = %v, want a job failure", err)
	}
}

// TestApply_RecordsItCannotRead: an unknown kind, a request that does not
// decode and a record of a newer version fail the job, saying why.
func TestApply_RecordsItCannotRead(t *testing.T) {
	s := &Service{}
	for _, tt := range []struct {
		job  Job
		want string
	}{
		{Job{Kind: "NoSuchKind", Payload: []byte(`{}`)}, `does not know jobs of kind "NoSuchKind"`},
		{Job{Kind: "CreateBackendAPI", Payload: []byte(`{"resourceName":7}`)}, "does not decode"},
		{Job{Kind: "CreateBackendAPI", V: recordVersion + 1, Payload: []byte(`{}`)}, "newer release"},
	} {
		tt.job.ID, tt.job.AppID, tt.job.Envs = "j", "a", []string{"dev"}
		err := s.apply(nil, Partition{}, &tt.job, schemaWork{})
		var f *jobFailure
		if !errors.As(err, &f) || !strings.Contains(f.msg, tt.want) {
			t.Errorf("%s: apply = %v, want a job failure with %q", tt.job.Kind, err, tt.want)
		}
	}
}

// TestEncodePayload_OnlyTheRegisteredType: a job is created only with the
// request type its kind registered.
func TestEncodePayload_OnlyTheRegisteredType(t *testing.T) {
	if _, err := encodePayload("CreateBackendAPI", &apiJob{ResourceName: "r"}); err != nil {
		t.Errorf("registered type refused: %v", err)
	}
	if _, err := encodePayload("CreateBackendAPI", &resourceJob{ResourceName: "r"}); err == nil {
		t.Error("another kind's request type accepted")
	}
	if _, err := encodePayload("NoSuchKind", &resourceJob{}); err == nil {
		t.Error("an unregistered kind accepted")
	}
}

// TestJobKinds_EveryJobOperationRegistered: each operation whose response is
// a job has a kind.
func TestJobKinds_EveryJobOperationRegistered(t *testing.T) {
	for _, op := range []string{"CloneBackend", "CreateBackend", "CreateBackendAPI", "CreateBackendAuth", "CreateBackendConfig",
		"CreateBackendStorage", "DeleteBackend", "DeleteBackendAPI", "DeleteBackendAuth", "DeleteBackendStorage",
		"GenerateBackendAPIModels", "ImportBackendAuth", "ImportBackendStorage", "RemoveAllBackends", "UpdateBackendAPI",
		"UpdateBackendAuth", "UpdateBackendStorage"} {
		if _, ok := jobKinds[op]; !ok {
			t.Errorf("no job kind for %s", op)
		}
	}
}
