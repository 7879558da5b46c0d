package server

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/sigv4"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// callJSON calls a REST-JSON service as key with body encoded, and decodes
// the answer.
func callJSON(t *testing.T, base, service string, key *sigv4.Credential, method, path string, body any) (awsResp, map[string]any) {
	t.Helper()
	raw := ""
	if body != nil {
		b, _ := json.Marshal(body)
		raw = string(b)
	}
	got := awsReq{service: service, method: method, path: path, body: raw, key: key,
		header: map[string]string{"Content-Type": "application/json"}}.do(t, base)
	return got, jsonOf(t, got.body)
}

// admin calls AmplifyBackend.
func admin(t *testing.T, base string, key *sigv4.Credential, method, path string, body any) (int, map[string]any) {
	t.Helper()
	got, out := callJSON(t, base, "amplifybackend", key, method, path, body)
	return got.status, out
}

// job starts a job through AmplifyBackend and waits for it to complete.
func job(t *testing.T, base string, key *sigv4.Credential, app, env, path string, body any) {
	t.Helper()
	code, out := admin(t, base, key, "POST", path, body)
	if code != 200 {
		t.Fatalf("POST %s: %d %v", path, code, out)
	}
	id, _ := out["jobId"].(string)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		_, j := admin(t, base, key, "POST", "/backend/"+app+"/job/"+env+"/"+id, map[string]any{})
		switch j["status"] {
		case "COMPLETED":
			return
		case "FAILED":
			t.Fatalf("job %s failed: %v", path, j)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("job %s did not finish", path)
}

// buildBackend makes app/env with auth (user and identity pool), an API
// (API key, DataStore) and storage, as account key.
func buildBackend(t *testing.T, base string, key *sigv4.Credential, app, env string) {
	t.Helper()
	job(t, base, key, app, env, "/backend", map[string]any{"appId": app, "appName": "Pull " + app, "backendEnvironmentName": env})
	job(t, base, key, app, env, "/backend/"+app+"/auth", map[string]any{"backendEnvironmentName": env, "resourceName": "pullauth",
		"resourceConfig": map[string]any{"authResources": "IDENTITY_POOL_AND_USER_POOL", "service": "COGNITO",
			"identityPoolConfigs": map[string]any{"identityPoolName": "pullidp", "unauthenticatedLogin": true},
			"userPoolConfigs":     map[string]any{"signInMethod": "EMAIL", "requiredSignUpAttributes": []string{"EMAIL"}, "userPoolName": "pullpool"}}})
	job(t, base, key, app, env, "/backend/"+app+"/api", map[string]any{"backendEnvironmentName": env, "resourceName": "pullapi",
		"resourceConfig": map[string]any{"apiName": "pullapi", "service": "AppSync",
			"defaultAuthType":    map[string]any{"mode": "API_KEY", "settings": map[string]any{"expirationTime": 30}},
			"conflictResolution": map[string]any{"resolutionStrategy": "AUTOMERGE"},
			"transformSchema":    "type Todo @model @auth(rules: [{allow: public}]) { id: ID! name: String! }"}})
	job(t, base, key, app, env, "/backend/"+app+"/storage", map[string]any{"backendEnvironmentName": env, "resourceName": "pullstore",
		"resourceConfig": map[string]any{"bucketName": "pull-" + app + "-files", "serviceName": "S3",
			"permissions": map[string]any{"authenticated": []string{"READ"}, "unAuthenticated": []string{"READ"}}}})
}

// backendMeta is GetBackend's amplifyMetaConfig of app/env.
func backendMeta(t *testing.T, base string, key *sigv4.Credential, app, env string) map[string]any {
	t.Helper()
	code, out := admin(t, base, key, "POST", "/backend/"+app+"/details", map[string]any{"backendEnvironmentName": env})
	if code != 200 {
		t.Fatalf("GetBackend: %d %v", code, out)
	}
	return jsonOf(t, out["amplifyMetaConfig"].(string))
}

func s3Get(t *testing.T, base string, key *sigv4.Credential, method, path string) awsResp {
	t.Helper()
	return awsReq{service: "s3", method: method, path: path, key: key}.do(t, base)
}

func unzip(t *testing.T, b []byte) (map[string][]byte, []*zip.File) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return files, zr.File
}

func get(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[p]
	}
	return v
}

func TestDeployment_ArtifactsFollowState(t *testing.T) {
	s := startSigned(t)
	buildBackend(t, s.URL, &keyA, "pullapp", "dev")
	meta := backendMeta(t, s.URL, &keyA, "pullapp", "dev")
	bucket := get(meta, "providers", "awscloudformation", "DeploymentBucketName").(string)
	zipPath := "/" + bucket + "/%23current-cloud-backend.zip"

	first := s3Get(t, s.URL, &keyA, "GET", zipPath)
	if first.status != 200 || first.header.Get("Content-Type") != "application/zip" || first.header.Get("ETag") == "" {
		t.Fatalf("GetObject: %d %v %s", first.status, first.header, first.body)
	}
	again := s3Get(t, s.URL, &keyA, "GET", zipPath)
	if again.body != first.body {
		t.Fatal("the same state gave two different zips")
	}
	files, entries := unzip(t, []byte(first.body))
	var names []string
	for _, f := range entries {
		names = append(names, f.Name)
		if !f.Modified.Equal(entries[0].Modified) {
			t.Errorf("%s dated %v, %s %v", f.Name, f.Modified, entries[0].Name, entries[0].Modified)
		}
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("entries not sorted: %v", names)
	}
	for _, want := range []string{"amplify-meta.json", "backend-config.json", "cli.json", "api/pullapi/schema.graphql",
		"api/pullapi/cli-inputs.json", "api/pullapi/parameters.json", "api/pullapi/transform.conf.json",
		"auth/pullauth/cli-inputs.json", "storage/pullstore/cli-inputs.json"} {
		if _, ok := files[want]; !ok {
			t.Errorf("zip lacks %s (has %v)", want, names)
		}
	}
	if !strings.Contains(string(files["api/pullapi/schema.graphql"]), "type Todo @model") {
		t.Errorf("schema.graphql: %s", files["api/pullapi/schema.graphql"])
	}
	if tc := jsonOf(t, string(files["api/pullapi/transform.conf.json"])); get(tc, "ResolverConfig", "project", "ConflictHandler") != "AUTOMERGE" {
		t.Errorf("transform.conf.json: %v", tc)
	}

	// The bucket's amplify-meta.json is the zip's, and its ids are GetBackend's.
	obj := s3Get(t, s.URL, &keyA, "GET", "/"+bucket+"/amplify-meta.json")
	if obj.status != 200 || obj.body != string(files["amplify-meta.json"]) {
		t.Fatalf("amplify-meta.json: %d, equal to the zip's: %v", obj.status, obj.body == string(files["amplify-meta.json"]))
	}
	pushed := jsonOf(t, obj.body)
	for _, p := range [][]string{
		{"providers", "awscloudformation", "StackName"}, {"providers", "awscloudformation", "AmplifyAppId"},
		{"auth", "pullauth", "output", "UserPoolId"}, {"auth", "pullauth", "output", "AppClientIDWeb"},
		{"auth", "pullauth", "output", "IdentityPoolId"}, {"api", "pullapi", "output", "GraphQLAPIIdOutput"},
		{"api", "pullapi", "output", "GraphQLAPIEndpointOutput"}, {"api", "pullapi", "output", "GraphQLAPIKeyOutput"},
		{"storage", "pullstore", "output", "BucketName"},
	} {
		if got, want := get(pushed, p...), get(meta, p...); got == nil || got != want {
			t.Errorf("%v: %v, GetBackend has %v", p, got, want)
		}
	}
	for _, c := range []string{"auth/pullauth", "api/pullapi", "storage/pullstore"} {
		cat, name, _ := strings.Cut(c, "/")
		if ts, _ := get(pushed, cat, name, "lastPushTimeStamp").(string); !strings.HasSuffix(ts, "Z") {
			t.Errorf("%s lastPushTimeStamp %q", c, ts)
		}
	}
	if k, _ := get(pushed, "api", "pullapi", "output", "GraphQLAPIKeyOutput").(string); !strings.HasPrefix(k, "da2-") {
		t.Errorf("GraphQLAPIKeyOutput %q", k)
	}
	if m := get(pushed, "api", "pullapi", "output", "authConfig", "defaultAuthentication", "authenticationType"); m != "API_KEY" {
		t.Errorf("authConfig mode %v", m)
	}

	t.Run("HeadObject and ListObjectsV2", func(t *testing.T) {
		head := s3Get(t, s.URL, &keyA, "HEAD", zipPath)
		if head.status != 200 || head.header.Get("ETag") != first.header.Get("ETag") || head.header.Get("Content-Length") != first.header.Get("Content-Length") || head.body != "" {
			t.Errorf("HeadObject: %d %v", head.status, head.header)
		}
		page := s3Get(t, s.URL, &keyA, "GET", "/"+bucket+"?list-type=2&max-keys=1")
		if page.status != 200 || xmlField(t, page.body, "Key") != "#current-cloud-backend.zip" || xmlField(t, page.body, "IsTruncated") != "true" {
			t.Fatalf("page 1: %d %s", page.status, page.body)
		}
		tok := xmlField(t, page.body, "NextContinuationToken")
		page = s3Get(t, s.URL, &keyA, "GET", "/"+bucket+"?list-type=2&max-keys=1&continuation-token="+url.QueryEscape(tok))
		if xmlField(t, page.body, "Key") != "amplify-meta.json" || xmlField(t, page.body, "IsTruncated") != "false" {
			t.Fatalf("page 2: %s", page.body)
		}
		if got := s3Get(t, s.URL, &keyA, "GET", "/"); !strings.Contains(got.body, "<Name>"+bucket+"</Name>") ||
			!strings.Contains(got.body, "<Name>pull-pullapp-files</Name>") {
			t.Errorf("ListBuckets: %s", got.body)
		}
		// The storage resource's bucket is there, and empty.
		if got := s3Get(t, s.URL, &keyA, "HEAD", "/pull-pullapp-files"); got.status != 200 {
			t.Errorf("HeadBucket of the storage bucket: %d", got.status)
		}
		if got := s3Get(t, s.URL, &keyA, "GET", "/pull-pullapp-files?list-type=2"); got.status != 200 || xmlField(t, got.body, "KeyCount") != "0" {
			t.Errorf("ListObjectsV2 of the storage bucket: %d %s", got.status, got.body)
		}
		if got := s3Get(t, s.URL, &keyB, "HEAD", "/pull-pullapp-files"); got.status != 404 {
			t.Errorf("HeadBucket of A's storage bucket as B: %d", got.status)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		for _, c := range []struct {
			name         string
			key          *sigv4.Credential
			method, path string
			status       int
			code         string
		}{
			{"another account's bucket", &keyB, "GET", zipPath, 404, "NoSuchBucket"},
			{"another account's listing", &keyB, "GET", "/" + bucket + "?list-type=2", 404, "NoSuchBucket"},
			{"unknown bucket", &keyA, "GET", "/no-such-bucket/amplify-meta.json", 404, "NoSuchBucket"},
			{"unknown key", &keyA, "GET", "/" + bucket + "/backend-config.json", 404, "NoSuchKey"},
			{"a trailing slash lists the bucket", &keyA, "GET", "/" + bucket + "/", 200, ""},
			{"a key with an encoded slash", &keyA, "GET", "/" + bucket + "/api%2Fpullapi", 404, "NoSuchKey"},
			{"write", &keyA, "PUT", "/" + bucket + "/amplify-meta.json", 403, "AccessDenied"},
			{"delete", &keyA, "DELETE", "/" + bucket + "/amplify-meta.json", 403, "AccessDenied"},
			{"bad max-keys", &keyA, "GET", "/" + bucket + "?list-type=2&max-keys=x", 400, "InvalidArgument"},
			{"bad continuation", &keyA, "GET", "/" + bucket + "?list-type=2&continuation-token=%25%25", 400, "InvalidArgument"},
		} {
			got := s3Get(t, s.URL, c.key, c.method, c.path)
			if got.status != c.status || (c.code != "" && xmlField(t, got.body, "Code") != c.code) {
				t.Errorf("%s: %d %s", c.name, got.status, got.body)
			}
		}
		wrong := keyA
		wrong.SecretAccessKey = "forged"
		if got := s3Get(t, s.URL, &wrong, "GET", zipPath); got.status != 403 || xmlField(t, got.body, "Code") != "SignatureDoesNotMatch" {
			t.Errorf("forged: %d %s", got.status, got.body)
		}
		// Unsigned, it is AmplifyBackend's, which has no such operation.
		if got := (awsReq{method: "GET", path: zipPath}).do(t, s.URL); got.status != 404 || got.header.Get("x-amzn-ErrorType") != "UnknownOperationException" {
			t.Errorf("unsigned: %d %s", got.status, got.body)
		}
	})

	t.Run("a completed job rebuilds them", func(t *testing.T) {
		time.Sleep(5 * time.Millisecond) // a later push time
		job(t, s.URL, &keyA, "pullapp", "dev", "/backend/pullapp/api/dev", map[string]any{"resourceName": "pullapi",
			"resourceConfig": map[string]any{"transformSchema": "type Note @model @auth(rules: [{allow: public}]) { id: ID! text: String }"}})
		next := s3Get(t, s.URL, &keyA, "GET", zipPath)
		files2, _ := unzip(t, []byte(next.body))
		if !strings.Contains(string(files2["api/pullapi/schema.graphql"]), "type Note") || next.header.Get("ETag") == first.header.Get("ETag") {
			t.Errorf("after UpdateBackendAPI: %s", files2["api/pullapi/schema.graphql"])
		}
		before := get(pushed, "api", "pullapi", "lastPushTimeStamp").(string)
		after := get(jsonOf(t, string(files2["amplify-meta.json"])), "api", "pullapi", "lastPushTimeStamp").(string)
		if after <= before {
			t.Errorf("lastPushTimeStamp %s, then %s", before, after)
		}
	})
}

func TestDeployment_SurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	opts := DefaultOptions()
	opts.Listen, opts.DataDir, opts.JobDuration = "127.0.0.1:0", filepath.Join(dir, "data"), 0
	opts.Credentials = []sigv4.Credential{keyA}
	s, err := Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	buildBackend(t, s.URL, &keyA, "restartapp", "prod")
	bucket := get(backendMeta(t, s.URL, &keyA, "restartapp", "prod"), "providers", "awscloudformation", "DeploymentBucketName").(string)
	zipPath := "/" + bucket + "/%23current-cloud-backend.zip"
	before := s3Get(t, s.URL, &keyA, "GET", zipPath)
	stack := awsReq{service: "cloudformation", method: "POST", path: "/", body: "Action=ListStackResources&Version=2010-05-15&StackName=" + url.QueryEscape(strings.TrimSuffix(bucket, "-deployment")),
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, key: &keyA}
	stacksBefore := stack.do(t, s.URL)
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s, err = Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	after := s3Get(t, s.URL, &keyA, "GET", zipPath)
	if before.status != 200 || after.status != 200 || after.body != before.body || after.header.Get("Last-Modified") != before.header.Get("Last-Modified") {
		t.Fatalf("before %d, after %d, same bytes %v", before.status, after.status, after.body == before.body)
	}
	stacksAfter := stack.do(t, s.URL)
	if stacksAfter.status != 200 || xmlField(t, stacksAfter.body, "PhysicalResourceId") != xmlField(t, stacksBefore.body, "PhysicalResourceId") {
		t.Fatalf("stacks: %s / %s", stacksBefore.body, stacksAfter.body)
	}
}

func TestCloudFormation_DescribesTheEnvironment(t *testing.T) {
	s := startSigned(t)
	buildBackend(t, s.URL, &keyA, "cfnapp", "dev")
	meta := backendMeta(t, s.URL, &keyA, "cfnapp", "dev")
	stack := get(meta, "providers", "awscloudformation", "StackName").(string)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	cfn := func(key *sigv4.Credential, body string) awsResp {
		return awsReq{service: "cloudformation", method: "POST", path: "/", body: "Version=2010-05-15&" + body, header: form, key: key}.do(t, s.URL)
	}
	list := cfn(&keyA, "Action=ListStackResources&StackName="+stack)
	if list.status != 200 {
		t.Fatalf("ListStackResources: %d %s", list.status, list.body)
	}
	var res struct {
		Summaries []struct{ LogicalResourceId, PhysicalResourceId, ResourceType string } `xml:"ListStackResourcesResult>StackResourceSummaries>member"`
	}
	if err := xmlUnmarshal(list.body, &res); err != nil {
		t.Fatal(err)
	}
	nested := map[string]string{}
	for _, r := range res.Summaries {
		if r.ResourceType == "AWS::CloudFormation::Stack" {
			nested[r.LogicalResourceId] = r.PhysicalResourceId
		}
	}
	if len(nested) != 3 || nested["apipullapi"] == "" || nested["authpullauth"] == "" || nested["storagepullstore"] == "" {
		t.Fatalf("nested stacks: %v", res.Summaries)
	}
	outputs := func(name string) map[string]string {
		got := cfn(&keyA, "Action=DescribeStacks&StackName="+url.QueryEscape(name))
		var d struct {
			Outputs []struct{ OutputKey, OutputValue string } `xml:"DescribeStacksResult>Stacks>member>Outputs>member"`
		}
		if got.status != 200 || xmlUnmarshal(got.body, &d) != nil {
			t.Fatalf("DescribeStacks %s: %d %s", name, got.status, got.body)
		}
		m := map[string]string{}
		for _, o := range d.Outputs {
			m[o.OutputKey] = o.OutputValue
		}
		return m
	}
	root := outputs(stack)
	for _, k := range []string{"StackName", "StackId", "DeploymentBucketName", "AuthRoleArn", "UnauthRoleName", "Region"} {
		if root[k] != get(meta, "providers", "awscloudformation", k) {
			t.Errorf("root output %s = %q, meta %v", k, root[k], get(meta, "providers", "awscloudformation", k))
		}
	}
	if api := outputs(nested["apipullapi"]); api["GraphQLAPIIdOutput"] != get(meta, "api", "pullapi", "output", "GraphQLAPIIdOutput") || !strings.HasPrefix(api["GraphQLAPIKeyOutput"], "da2-") {
		t.Errorf("api outputs %v", api)
	}
	if auth := outputs(nested["authpullauth"]); auth["IdentityPoolId"] != get(meta, "auth", "pullauth", "output", "IdentityPoolId") {
		t.Errorf("auth outputs %v", auth)
	}
	for _, c := range []struct {
		name string
		key  *sigv4.Credential
		body string
		code string
	}{
		{"another account", &keyB, "Action=DescribeStacks&StackName=" + stack, "ValidationError"},
		{"unknown stack", &keyA, "Action=ListStackResources&StackName=nope", "ValidationError"},
		{"no stack name", &keyA, "Action=ListStackResources", "ValidationError"},
		{"write", &keyA, "Action=DeleteStack&StackName=" + stack, "InvalidAction"},
		{"bad form", &keyA, "Action=%zz", "MalformedQueryString"},
	} {
		got := cfn(c.key, c.body)
		if got.status != 400 || xmlField(t, got.body, "Code") != c.code {
			t.Errorf("%s: %d %s", c.name, got.status, got.body)
		}
	}
}

// TestAppState_SandboxSchemaWhenOpen: without --credentials (one shared
// account, nothing to keep apart) an app without an Admin UI config is a
// sandbox whose schema AppState serves, for `amplify pull --sandboxId`.
func TestAppState_SandboxSchemaWhenOpen(t *testing.T) {
	opts := DefaultOptions()
	opts.Listen, opts.DataDir, opts.JobDuration = "127.0.0.1:0", sqlite.Memory, 0
	s, err := Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	buildBackend(t, s.URL, &keyA, "sandboxapp", "dev")
	resp, err := http.Get(s.URL + "/AppState/sandboxapp")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if schema, _ := jsonOf(t, string(b))["schema"].(string); resp.StatusCode != 200 || !strings.Contains(schema, "type Todo") {
		t.Errorf("sandbox schema: %d %s", resp.StatusCode, b)
	}
}

func TestAppState_AdminUIAndSandboxes(t *testing.T) {
	s := startSigned(t)
	appState := func(path string) (int, map[string]any) {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, jsonOf(t, string(b))
	}
	buildBackend(t, s.URL, &keyA, "studioapp", "dev")
	if code, out := appState("/AppState/?appId=studioapp"); code != 200 || len(out) != 0 {
		t.Errorf("without Admin UI: %d %v", code, out)
	}
	// Accounts are kept apart and AppState is unsigned: an app's schema is
	// not handed to whoever names the app (the open server's test below).
	if code, out := appState("/AppState/studioapp"); code != 404 || out["message"] != "Requested app was not found" {
		t.Errorf("sandbox schema on a server keeping accounts apart: %d %v", code, out)
	}
	job(t, s.URL, &keyA, "studioapp", "dev", "/backend/studioapp/config", map[string]any{"backendManagerAppId": "studio-manager-1"})
	code, out := appState("/AppState/?appId=studioapp")
	login, _ := out["loginAuthConfig"].(string)
	var cfg map[string]any
	if code != 200 || out["appId"] != "studioapp" || out["region"] != "us-east-1" || json.Unmarshal([]byte(login), &cfg) != nil || cfg["aws_user_pools_id"] == nil {
		t.Errorf("with Admin UI: %d %v", code, out)
	}
	for _, id := range []string{"studioapp", "studio-manager-1"} {
		if code, out := appState("/AppState/" + id); code != 200 || out["appId"] != "studioapp" {
			t.Errorf("deployed sandbox %s: %d %v", id, code, out)
		}
	}
	for _, path := range []string{"/AppState/nobody", "/AppState/a%2Fb", "/AppState/" + strings.Repeat("x", 300)} {
		if code, out := appState(path); code != 404 || out["message"] != "Requested app was not found" {
			t.Errorf("%s: %d %v", path, code, out)
		}
	}
	if code, out := appState("/AppState/"); code != 400 || out["message"] == nil {
		t.Errorf("no appId: %d %v", code, out)
	}
	ui := awsReq{service: "amplifyuibuilder", method: "GET", path: "/app/studioapp/environment/dev/metadata", key: &keyA}.do(t, s.URL)
	if ui.status != 404 || ui.header.Get("x-amzn-ErrorType") != "ResourceNotFoundException" {
		t.Errorf("UI builder: %d %v %s", ui.status, ui.header, ui.body)
	}
}

// TestDeployment_SnapshotKeepsIt: export, reset and import give back the
// same artifacts, Hosting's app members and the stack name and bucket
// Hosting was given.
func TestDeployment_SnapshotKeepsIt(t *testing.T) {
	s := startSigned(t)
	buildBackend(t, s.URL, &keyA, "snapapp", "dev")
	bucket := get(backendMeta(t, s.URL, &keyA, "snapapp", "dev"), "providers", "awscloudformation", "DeploymentBucketName").(string)
	_, _, made := hostingCall(t, s.URL, &keyA, "POST", "/apps", map[string]any{"name": "h", "description": "kept", "environmentVariables": map[string]string{"K": "V"}})
	hosted := get(made, "app", "appId").(string)
	hostingCall(t, s.URL, &keyA, "POST", "/apps/"+hosted+"/backendenvironments", map[string]any{"environmentName": "e", "stackName": "amplify-kept-e", "deploymentArtifacts": "amplify-kept-e-bucket"})
	read := func() []string {
		_, _, app := hostingCall(t, s.URL, &keyA, "GET", "/apps/"+hosted, nil)
		_, _, env := hostingCall(t, s.URL, &keyA, "GET", "/apps/"+hosted+"/backendenvironments/e", nil)
		b1, _ := json.Marshal(app)
		b2, _ := json.Marshal(env)
		return []string{s3Get(t, s.URL, &keyA, "GET", "/"+bucket+"/%23current-cloud-backend.zip").body,
			s3Get(t, s.URL, &keyA, "GET", "/amplify-kept-e-bucket/amplify-meta.json").body, string(b1), string(b2)}
	}
	before := read()
	ctx := context.Background()
	snap, err := s.Service.Export(ctx, backend.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Service.Reset(ctx, backend.Scope{}); err != nil {
		t.Fatal(err)
	}
	if got := s3Get(t, s.URL, &keyA, "GET", "/"+bucket+"/amplify-meta.json"); got.status != 404 {
		t.Fatalf("after reset: %d", got.status)
	}
	if _, err := s.Service.Import(ctx, snap, backend.ImportReplace); err != nil {
		t.Fatal(err)
	}
	after := read()
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("read %d differs after export, reset and import:\n%.300s\n%.300s", i, before[i], after[i])
		}
	}
	if !strings.Contains(after[2], `"description":"kept"`) {
		t.Errorf("Hosting's members lost: %s", after[2])
	}
}
