package backend_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	ah "github.com/amplifylite/amplifylite/amplifyhosting"
	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// BenchmarkDeploymentBucket measures a deployment bucket's read for
// partitions of 10, 1000 and 10000 apps, the bucket's app listed last, with
// an auth, an API and a storage resource: "first" on a new Service (the
// first read: the walk of the partition's apps, then the build of the
// artifacts), "after a write" (the artifacts built again), "again" the
// reads after it at the same state.
func BenchmarkDeploymentBucket(b *testing.B) {
	for _, apps := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("apps=%d", apps), func(b *testing.B) {
			ctx := context.Background()
			store, err := sqlite.Open(ctx, sqlite.Memory)
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			svc, err := backend.New(ctx, store, backend.Config{})
			if err != nil {
				b.Fatal(err)
			}
			p := backend.Partition{Account: "000000000000", Region: "us-east-1"}
			at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			last := fmt.Sprintf("app%06d", apps-1)
			raw := func(v any) json.RawMessage { j, _ := json.Marshal(v); return j }
			err = store.Update(ctx, func(tx backend.Tx) error {
				for i := range apps {
					id := fmt.Sprintf("app%06d", i)
					if err := tx.PutApp(p, &backend.App{ID: id, Name: id, Created: at}); err != nil {
						return err
					}
					if err := tx.PutEnv(p, &backend.Env{AppID: id, Name: "dev", Created: at, Pushed: at}); err != nil {
						return err
					}
				}
				for _, r := range []backend.Resource{
					{Kind: backend.KindAuth, Name: "auth1", Config: raw(map[string]any{"authResources": "IDENTITY_POOL_AND_USER_POOL",
						"userPoolConfigs": map[string]any{"signInMethod": "EMAIL", "requiredSignUpAttributes": []string{"EMAIL"}}})},
					{Kind: backend.KindAPI, Name: "api1", Config: raw(map[string]any{"defaultAuthType": map[string]any{"mode": "API_KEY"},
						"conflictResolution": map[string]any{"resolutionStrategy": "AUTOMERGE"},
						"transformSchema":    "type Todo @model { id: ID! name: String }"})},
					{Kind: backend.KindStorage, Name: "s31", Config: raw(map[string]any{"bucketName": "files-bucket"})},
				} {
					r.AppID, r.Env, r.Created = last, "dev", at
					if err := tx.PutResource(p, &r); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			var bucket string
			stacks, err := svc.Stacks(ctx, p, "")
			if err != nil {
				b.Fatal(err)
			}
			for _, st := range stacks {
				for _, o := range st.Outputs {
					if o.Key == "DeploymentBucketName" && st.Tags[0].Value == last {
						bucket = o.Value
					}
				}
			}
			read := func(b *testing.B, svc *backend.Service) {
				d, err := svc.DeploymentBucket(ctx, p, bucket)
				if err != nil || len(d.Objects) != 2 {
					b.Fatal(bucket, err)
				}
			}
			b.Run("first", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					fresh, err := backend.New(ctx, store, backend.Config{})
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					read(b, fresh)
				}
			})
			b.Run("after a write", func(b *testing.B) {
				read(b, svc)
				for b.Loop() {
					b.StopTimer()
					if _, err := svc.CreateApp(ctx, p, &ah.CreateAppRequest{Name: ah.String("bench")}); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					read(b, svc)
				}
			})
			b.Run("again", func(b *testing.B) {
				read(b, svc)
				for b.Loop() {
					read(b, svc)
				}
			})
		})
	}
}

// TestDeploymentBucket_FollowsEnvironments checks the index of derived names
// against environments that go and come: a bucket name moves to the
// environment that has it now, and a removed one is unknown.
func TestDeploymentBucket_FollowsEnvironments(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc, err := backend.New(ctx, store, backend.Config{})
	if err != nil {
		t.Fatal(err)
	}
	p := backend.Partition{Account: "000000000000", Region: "us-east-1"}
	newEnv := func(name string) string {
		app, err := svc.CreateApp(ctx, p, &ah.CreateAppRequest{Name: ah.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.CreateBackendEnvironment(ctx, p, &ah.CreateBackendEnvironmentRequest{AppId: app.App.AppId,
			EnvironmentName: ah.String("dev"), StackName: ah.String("amplify-shared-dev"), DeploymentArtifacts: ah.String("amplify-shared-dev-deployment")})
		if err != nil {
			t.Fatal(err)
		}
		return *app.App.AppId
	}
	owner := func() string {
		t.Helper()
		d, err := svc.DeploymentBucket(ctx, p, "amplify-shared-dev-deployment")
		if err != nil {
			return err.Error()
		}
		var meta struct {
			Providers struct{ Awscloudformation struct{ AmplifyAppId string } }
		}
		json.Unmarshal(d.Objects[1].Body, &meta)
		return meta.Providers.Awscloudformation.AmplifyAppId
	}
	first := newEnv("first")
	if got := owner(); got != first {
		t.Fatalf("owner %s, want %s", got, first)
	}
	if _, err := svc.DeleteBackendEnvironment(ctx, p, &ah.DeleteBackendEnvironmentRequest{AppId: &first, EnvironmentName: ah.String("dev")}); err != nil {
		t.Fatal(err)
	}
	if got := owner(); got != "The specified bucket does not exist" {
		t.Fatalf("after its removal: %s", got)
	}
	second := newEnv("second")
	if got := owner(); got != second {
		t.Fatalf("owner %s, want %s", got, second)
	}
	stacks, err := svc.Stacks(ctx, p, "amplify-shared-dev")
	if err != nil || stacks[0].Name != "amplify-shared-dev" {
		t.Fatalf("Stacks: %v %v", stacks, err)
	}
}
