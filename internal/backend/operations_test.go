package backend_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestOperations_Lifecycle walks every operation's success path in the order a
// user would, checking what each read shows after each job completes.
func TestOperations_Lifecycle(t *testing.T) {
	h := newHarness(t)
	h.seed()

	got := h.ok(h.post("/backend/app1/details", `{}`))
	if got.str("appName") != "My App" || got.str("backendEnvironmentName") != "dev" {
		t.Fatalf("GetBackend: %s", got.raw)
	}
	var meta struct {
		Providers struct{ Awscloudformation map[string]string } `json:"providers"`
	}
	if err := json.Unmarshal([]byte(got.str("amplifyMetaConfig")), &meta); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AuthRoleName", "AuthRoleArn", "UnauthRoleName", "UnauthRoleArn", "Region", "DeploymentBucketName", "StackName", "StackId", "AmplifyAppId"} {
		if meta.Providers.Awscloudformation[k] == "" {
			t.Errorf("amplifyMetaConfig lacks providers.awscloudformation.%s", k)
		}
	}
	if !strings.HasPrefix(meta.Providers.Awscloudformation["StackId"], "arn:aws:cloudformation:us-east-1:000000000000:stack/") {
		t.Errorf("StackId = %s", meta.Providers.Awscloudformation["StackId"])
	}
	if !strings.Contains(got.str("amplifyFeatureFlags"), `"transformerversion":2`) {
		t.Errorf("amplifyFeatureFlags = %s", got.str("amplifyFeatureFlags"))
	}

	// Auth: create, read back every irregular wire name, update (merge), delete.
	h.job("/backend/app1/auth", `{"backendEnvironmentName":"dev","resourceName":"authx","resourceConfig":`+authConfig+`}`)
	auth := h.ok(h.post("/backend/app1/auth/dev/details", `{"resourceName":"authx"}`))
	for _, want := range []string{`"MFAMode":"OPTIONAL"`, `"Facebook":{"client_id":"fb","client_secret":"fbs"}`, `"team_id":"t"`, `"minimumLength":8`} {
		if !strings.Contains(auth.raw, want) {
			t.Errorf("GetBackendAuth lacks %s: %s", want, auth.raw)
		}
	}
	h.job("/backend/app1/auth/dev", `{"resourceName":"authx","resourceConfig":{"authResources":"IDENTITY_POOL_AND_USER_POOL","service":"COGNITO","userPoolConfigs":{"mfa":{"MFAMode":"ON"}}}}`)
	auth = h.ok(h.post("/backend/app1/auth/dev/details", `{"resourceName":"authx"}`))
	if !strings.Contains(auth.raw, `"MFAMode":"ON"`) || !strings.Contains(auth.raw, `"signInMethod":"EMAIL"`) {
		t.Errorf("UpdateBackendAuth did not merge: %s", auth.raw)
	}

	// API: create, get, update, generate models (no generator here → FAILED), delete.
	h.job("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"apiName":"api1","transformSchema":`+jsonString(schema)+`,"defaultAuthType":{"mode":"API_KEY","settings":{"expirationTime":7}}}}`)
	api := h.ok(h.post("/backend/app1/api/dev/details", `{"resourceName":"api1","resourceConfig":{"apiName":"ignored"}}`))
	if !strings.Contains(api.raw, `"apiName":"api1"`) || !strings.Contains(api.raw, `"expirationTime":7`) {
		t.Errorf("GetBackendAPI: %s", api.raw)
	}
	h.job("/backend/app1/api/dev", `{"resourceName":"api1","resourceConfig":{"conflictResolution":{"resolutionStrategy":"AUTOMERGE"}}}`)
	api = h.ok(h.post("/backend/app1/api/dev/details", `{"resourceName":"api1"}`))
	if !strings.Contains(api.raw, `"AUTOMERGE"`) || !strings.Contains(api.raw, `"apiName":"api1"`) {
		t.Errorf("UpdateBackendAPI did not merge: %s", api.raw)
	}
	h.job("/backend/app1/api/dev", `{"resourceName":"api1"}`) // no resourceConfig: nothing changes
	if again := h.ok(h.post("/backend/app1/api/dev/details", `{"resourceName":"api1"}`)); again.raw != api.raw {
		t.Errorf("an update without resourceConfig changed the API:\n%s\n%s", api.raw, again.raw)
	}
	models := h.ok(h.post("/backend/app1/api/dev/getModels", `{"resourceName":"api1"}`))
	if models.str("status") != "STALE" || models.body["models"] != nil {
		t.Errorf("GetBackendAPIModels before generation: %s", models.raw)
	}
	gen := h.job("/backend/app1/api/dev/generateModels", `{"resourceName":"api1"}`)
	if st := h.jobStatus("app1", "dev", gen.str("jobId")); st.str("status") != "FAILED" || st.str("error") == "" {
		t.Errorf("GenerateBackendAPIModels without a generator: %s", st.raw)
	}

	// Storage: create with a generated bucket, get, update, list buckets.
	h.job("/backend/app1/storage", `{"backendEnvironmentName":"dev","resourceName":"files","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["READ"],"unAuthenticated":[]}}}`)
	st := h.ok(h.post("/backend/app1/storage/dev/details", `{"resourceName":"files"}`))
	bucket, _ := st.body["resourceConfig"].(map[string]any)["bucketName"].(string)
	if bucket == "" || !strings.Contains(st.raw, `"imported":false`) || !strings.Contains(st.raw, `"unAuthenticated":[]`) {
		t.Fatalf("GetBackendStorage: %s", st.raw)
	}
	h.job("/backend/app1/storage/dev", `{"resourceName":"files","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["READ","DELETE"]}}}`)
	st = h.ok(h.post("/backend/app1/storage/dev/details", `{"resourceName":"files"}`))
	if !strings.Contains(st.raw, `"authenticated":["READ","DELETE"]`) || strings.Contains(st.raw, "unAuthenticated") {
		t.Errorf("UpdateBackendStorage must replace permissions: %s", st.raw)
	}
	buckets := h.ok(h.post("/s3Buckets", `{}`))
	if !strings.Contains(buckets.raw, bucket) || !strings.Contains(buckets.raw, "preexisting-bucket") || buckets.body["nextToken"] != nil {
		t.Errorf("ListS3Buckets: %s", buckets.raw)
	}
	if !strings.Contains(buckets.raw, `"creationDate":"2026-01-02T03:04:`) {
		t.Errorf("creationDate format: %s", buckets.raw)
	}

	// GetBackend now lists every category.
	got = h.ok(h.post("/backend/app1/details", `{"backendEnvironmentName":"dev"}`))
	for _, want := range []string{`\"auth\":{\"authx\"`, `\"api\":{\"api1\"`, `\"storage\":{\"files\"`, `us-east-1_`, `appsync-api.us-east-1.amazonaws.com`} {
		if !strings.Contains(got.raw, want) {
			t.Errorf("amplifyMetaConfig lacks %s", want)
		}
	}

	// Clone copies every resource; the clone's bucket is its own.
	clone := h.job("/backend/app1/environments/dev/clone", `{"targetEnvironmentName":"prod"}`)
	if h.jobStatus("app1", "prod", clone.str("jobId")).str("status") != "COMPLETED" {
		t.Error("clone job is not listed under the target")
	}
	cst := h.ok(h.post("/backend/app1/storage/prod/details", `{"resourceName":"files"}`))
	if strings.Contains(cst.raw, bucket) {
		t.Errorf("clone reuses the source bucket: %s", cst.raw)
	}
	h.ok(h.post("/backend/app1/auth/prod/details", `{"resourceName":"authx"}`))
	h.ok(h.post("/backend/app1/api/prod/details", `{"resourceName":"api1"}`))

	// Deletes.
	h.job("/backend/app1/api/dev/remove", `{"resourceName":"api1"}`)
	h.job("/backend/app1/auth/dev/remove", `{"resourceName":"authx"}`)
	h.job("/backend/app1/storage/dev/remove", `{"resourceName":"files","serviceName":"S3"}`)
	if r := h.post("/backend/app1/storage/dev/details", `{"resourceName":"files"}`); r.status != 404 || r.str("resourceType") != "Storage" {
		t.Errorf("storage after delete: %d %s", r.status, r.raw)
	}
	if strings.Contains(h.ok(h.post("/s3Buckets", `{}`)).raw, bucket) {
		t.Error("a deleted storage's bucket is still listed")
	}

	// Imports.
	h.job("/backend/app1/auth/dev/import", `{"userPoolId":"us-east-1_abc","webClientId":"w","nativeClientId":"n","identityPoolId":"us-east-1:x"}`)
	ia := h.ok(h.post("/backend/app1/auth/dev/details", `{"resourceName":"us-east-1_abc"}`))
	if !strings.Contains(ia.raw, `"authResources":"IDENTITY_POOL_AND_USER_POOL"`) || !strings.Contains(ia.raw, `"userPoolName":"us-east-1_abc"`) {
		t.Errorf("imported auth: %s", ia.raw)
	}
	h.job("/backend/app1/storage/dev/import", `{"bucketName":"my-existing-bucket","serviceName":"S3"}`)
	is := h.ok(h.post("/backend/app1/storage/dev/details", `{"resourceName":"my-existing-bucket"}`))
	if !strings.Contains(is.raw, `"imported":true`) {
		t.Errorf("imported storage: %s", is.raw)
	}

	// Admin UI config.
	cfg := h.ok(h.post("/backend/app1/config", `{}`))
	if cfg.str("backendEnvironmentName") != "dev" || cfg.body["operation"] != nil {
		t.Errorf("CreateBackendConfig: %s", cfg.raw)
	}
	h.settle()
	upd := h.ok(h.post("/backend/app1/config/update", `{"loginAuthConfig":{"aws_cognito_region":"us-east-1","aws_user_pools_id":"us-east-1_x"}}`))
	if upd.str("backendManagerAppId") != "app1" || !strings.Contains(upd.raw, `"aws_user_pools_id":"us-east-1_x"`) {
		t.Errorf("UpdateBackendConfig: %s", upd.raw)
	}
	if r := h.ok(h.post("/backend/app1/config/remove", "")); len(r.body) != 0 {
		t.Errorf("RemoveBackendConfig: %s", r.raw)
	}

	// Tokens.
	tok := h.ok(h.post("/backend/app1/challenge", ""))
	sid := tok.str("sessionId")
	if len(tok.str("challengeCode")) != 6 || sid == "" || tok.str("ttl") != fmt.Sprint(h.clock.Now().Add(600e9).Unix()) {
		t.Errorf("CreateToken: %s", tok.raw)
	}
	if g := h.ok(h.do("GET", "/backend/app1/challenge/"+sid, "")); g.str("challengeCode") != tok.str("challengeCode") {
		t.Errorf("GetToken: %s", g.raw)
	}
	if d := h.ok(h.post("/backend/app1/challenge/"+sid+"/remove", "")); d.body["isSuccess"] != true {
		t.Errorf("DeleteToken: %s", d.raw)
	}

	// Environment and app removal.
	h.job("/backend/app1/environments/prod/remove", "")
	if r := h.post("/backend/app1/details", `{"backendEnvironmentName":"prod"}`); r.status != 404 || r.str("resourceType") != "BackendEnvironment" {
		t.Errorf("deleted env: %d %s", r.status, r.raw)
	}
	rm := h.job("/backend/app1/remove", `{"cleanAmplifyApp":true}`)
	if rm.body["backendEnvironmentName"] != nil {
		t.Errorf("RemoveAllBackends has no backendEnvironmentName: %s", rm.raw)
	}
	if r := h.post("/backend/app1/details", `{}`); r.status != 404 || r.str("resourceType") != "App" {
		t.Errorf("removed app: %d %s", r.status, r.raw)
	}
	if h.jobStatus("app1", "dev", rm.str("jobId")).str("status") != "COMPLETED" {
		t.Error("job records must outlive the environments they removed")
	}
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }
