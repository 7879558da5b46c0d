package backend_test

import (
	"context"
	"sync"
	"testing"
	"time"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// TestOnJob_TellsCommittedTransitions: Config.OnJob hears of a job's
// creation and of its end, each once, after the change is committed (a read
// from inside the hook sees it), and of nothing that was refused.
func TestOnJob_TellsCommittedTransitions(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var (
		mu     sync.Mutex
		events []backend.JobEvent
		seen   []string // the job's status as GetBackendJob read it inside the hook
		svc    *backend.Service
	)
	p := backend.Partition{Account: "000000000000", Region: "us-east-1"}
	svc, err = backend.New(ctx, store, backend.Config{OnJob: func(e backend.JobEvent) {
		job, err := svc.GetBackendJob(ctx, p, &ab.GetBackendJobRequest{AppId: &e.AppID, BackendEnvironmentName: &e.Envs[0], JobId: &e.JobID})
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
		if err != nil {
			seen = append(seen, err.Error())
		} else {
			seen = append(seen, *job.Status)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	create := &ab.CreateBackendRequest{AppId: ab.String("app"), AppName: ab.String("n"), BackendEnvironmentName: ab.String("dev")}
	created, err := svc.CreateBackend(ctx, p, create)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateBackend(ctx, p, create); err == nil {
		t.Fatal("a second job on the environment was accepted")
	}
	time.Sleep(2 * time.Millisecond) // the job is due at creation (JobDuration 0), in milliseconds
	if n, err := svc.FinishDueJobs(ctx); err != nil || n != 1 {
		t.Fatalf("FinishDueJobs: %d, %v", n, err)
	}
	auth, err := svc.CreateBackendAuth(ctx, p, &ab.CreateBackendAuthRequest{AppId: ab.String("app"), BackendEnvironmentName: ab.String("dev"),
		ResourceName: ab.String("auth1"), ResourceConfig: &ab.CreateBackendAuthResourceConfig{AuthResources: ab.AuthResourcesUserPoolOnly,
			Service: ab.ServiceCognito, UserPoolConfigs: &ab.CreateBackendAuthUserPoolConfig{UserPoolName: ab.String("p"), SignInMethod: ab.SignInMethodEmail,
				RequiredSignUpAttributes: []ab.RequiredSignUpAttributesElement{ab.RequiredSignUpAttributesElementEmail}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateBackendJob(ctx, p, &ab.UpdateBackendJobRequest{AppId: ab.String("app"), BackendEnvironmentName: ab.String("dev"),
		JobId: auth.JobId, Status: ab.String("FAILED")}); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	type transition struct{ job, op, from, to string }
	want := []transition{
		{*created.JobId, "CreateBackend", "", "RUNNING"},
		{*created.JobId, "CreateBackend", "RUNNING", "COMPLETED"},
		{*auth.JobId, "CreateBackendAuth", "", "RUNNING"},
		{*auth.JobId, "CreateBackendAuth", "RUNNING", "FAILED"},
	}
	if len(events) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(events), len(want), events)
	}
	for i, e := range events {
		got := transition{e.JobID, e.Operation, e.OldStatus, e.NewStatus}
		if got != want[i] || e.Partition != p || e.AppID != "app" || len(e.Envs) != 1 || e.Envs[0] != "dev" || e.Created.IsZero() || e.Updated.Before(e.Created) {
			t.Errorf("event %d: %+v, want %+v", i, e, want[i])
		}
		if seen[i] != e.NewStatus {
			t.Errorf("event %d: the hook read %s, not the committed %s", i, seen[i], e.NewStatus)
		}
	}
	if events[3].Error == "" {
		t.Error("the FAILED event has no error")
	}
}
