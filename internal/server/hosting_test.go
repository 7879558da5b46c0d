package server

import (
	"net/url"
	"strings"
	"testing"

	"github.com/amplifylite/amplifylite/internal/sigv4"
)

// hostingCall calls Amplify Hosting as key.
func hostingCall(t *testing.T, base string, key *sigv4.Credential, method, path string, body any) (int, string, map[string]any) {
	t.Helper()
	got, out := callJSON(t, base, "amplify", key, method, path, body)
	return got.status, got.header.Get("x-amzn-ErrorType"), out
}

func TestHosting_SharesAppsWithTheAdminAPI(t *testing.T) {
	s := startSigned(t)
	buildBackend(t, s.URL, &keyA, "sharedapp", "dev")
	meta := backendMeta(t, s.URL, &keyA, "sharedapp", "dev")

	code, _, out := hostingCall(t, s.URL, &keyA, "GET", "/apps/sharedapp", nil)
	if code != 200 || get(out, "app", "name") != "Pull sharedapp" || get(out, "app", "appArn") != "arn:aws:amplify:us-east-1:111111111111:apps/sharedapp" ||
		get(out, "app", "platform") != "WEB" || get(out, "app", "createTime") == nil {
		t.Fatalf("GetApp: %d %v", code, out)
	}
	code, _, out = hostingCall(t, s.URL, &keyA, "GET", "/apps/sharedapp/backendenvironments/dev", nil)
	if code != 200 || get(out, "backendEnvironment", "stackName") != get(meta, "providers", "awscloudformation", "StackName") ||
		get(out, "backendEnvironment", "deploymentArtifacts") != get(meta, "providers", "awscloudformation", "DeploymentBucketName") {
		t.Fatalf("GetBackendEnvironment: %d %v", code, out)
	}
	if code, _, out := hostingCall(t, s.URL, &keyA, "GET", "/apps/sharedapp/backendenvironments?environmentName=dev", nil); code != 200 || len(out["backendEnvironments"].([]any)) != 1 {
		t.Errorf("ListBackendEnvironments: %d %v", code, out)
	}

	t.Run("accounts are isolated", func(t *testing.T) {
		if code, typ, _ := hostingCall(t, s.URL, &keyB, "GET", "/apps/sharedapp", nil); code != 404 || typ != "NotFoundException" {
			t.Errorf("GetApp as B: %d %s", code, typ)
		}
		if code, _, out := hostingCall(t, s.URL, &keyB, "GET", "/apps", nil); code != 200 || len(out["apps"].([]any)) != 0 {
			t.Errorf("ListApps as B: %d %v", code, out)
		}
		if code, typ, _ := hostingCall(t, s.URL, &keyB, "DELETE", "/apps/sharedapp", nil); code != 404 || typ != "NotFoundException" {
			t.Errorf("DeleteApp as B: %d %s", code, typ)
		}
	})

	t.Run("an app Hosting creates is the Admin API's", func(t *testing.T) {
		code, _, out := hostingCall(t, s.URL, &keyA, "POST", "/apps", map[string]any{"name": "hosted", "description": "made by Hosting",
			"environmentVariables": map[string]string{"A": "1"}, "tags": map[string]string{"team": "x"}, "platform": "WEB_COMPUTE"})
		id, _ := get(out, "app", "appId").(string)
		if code != 200 || len(id) != 14 || id[0] != 'd' || get(out, "app", "description") != "made by Hosting" || get(out, "app", "platform") != "WEB_COMPUTE" {
			t.Fatalf("CreateApp: %d %v", code, out)
		}
		code, _, out = hostingCall(t, s.URL, &keyA, "POST", "/apps/"+id+"/backendenvironments", map[string]any{
			"environmentName": "staging", "stackName": "amplify-hosted-staging-1", "deploymentArtifacts": "amplify-hosted-staging-1-deployment"})
		if code != 200 || get(out, "backendEnvironment", "stackName") != "amplify-hosted-staging-1" {
			t.Fatalf("CreateBackendEnvironment: %d %v", code, out)
		}
		m := backendMeta(t, s.URL, &keyA, id, "staging")
		if get(m, "providers", "awscloudformation", "StackName") != "amplify-hosted-staging-1" ||
			get(m, "providers", "awscloudformation", "DeploymentBucketName") != "amplify-hosted-staging-1-deployment" {
			t.Errorf("GetBackend of a Hosting environment: %v", m["providers"])
		}
		if code, typ, _ := hostingCall(t, s.URL, &keyA, "POST", "/apps/"+id+"/backendenvironments", map[string]any{"environmentName": "staging"}); code != 400 || typ != "BadRequestException" {
			t.Errorf("a second staging: %d %s", code, typ)
		}
		if code, _, out := hostingCall(t, s.URL, &keyA, "DELETE", "/apps/"+id+"/backendenvironments/staging", nil); code != 200 || get(out, "backendEnvironment", "environmentName") != "staging" {
			t.Errorf("DeleteBackendEnvironment: %d %v", code, out)
		}
		if code, _ := admin(t, s.URL, &keyA, "POST", "/backend/"+id+"/details", map[string]any{"backendEnvironmentName": "staging"}); code != 404 {
			t.Errorf("GetBackend of a deleted environment: %d", code)
		}
		if code, _, _ := hostingCall(t, s.URL, &keyA, "DELETE", "/apps/"+id, nil); code != 200 {
			t.Errorf("DeleteApp: %d", code)
		}
		if code, _ := admin(t, s.URL, &keyA, "POST", "/backend/"+id+"/details", map[string]any{}); code != 404 {
			t.Errorf("GetBackend of a deleted app: %d", code)
		}
	})

	t.Run("pages", func(t *testing.T) {
		for _, n := range []string{"p1", "p2", "p3"} {
			hostingCall(t, s.URL, &keyA, "POST", "/apps", map[string]any{"name": n})
		}
		seen, tok := 0, ""
		for range 10 {
			path := "/apps?maxResults=2"
			if tok != "" {
				path += "&nextToken=" + url.QueryEscape(tok)
			}
			code, _, out := hostingCall(t, s.URL, &keyA, "GET", path, nil)
			if code != 200 || len(out["apps"].([]any)) > 2 {
				t.Fatalf("ListApps: %d %v", code, out)
			}
			seen += len(out["apps"].([]any))
			tok, _ = out["nextToken"].(string)
			if tok == "" {
				break
			}
		}
		if seen != 4 {
			t.Errorf("listed %d apps, want 4", seen)
		}
		_, _, out := hostingCall(t, s.URL, &keyA, "GET", "/apps?maxResults=1", nil)
		tok = out["nextToken"].(string)
		if code, typ, _ := hostingCall(t, s.URL, &keyB, "GET", "/apps?nextToken="+url.QueryEscape(tok), nil); code != 400 || typ != "BadRequestException" {
			t.Errorf("another account's token: %d %s", code, typ)
		}
		if code, typ, _ := hostingCall(t, s.URL, &keyA, "GET", "/apps?nextToken=forged.token", nil); code != 400 || typ != "BadRequestException" {
			t.Errorf("forged token: %d %s", code, typ)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, c := range []struct {
			name, method, path, body string
			status                   int
			typ                      string
		}{
			{"no name", "POST", "/apps", `{}`, 400, "BadRequestException"},
			{"not JSON", "POST", "/apps", `{"name":`, 400, "BadRequestException"},
			{"a number for a name", "POST", "/apps", `{"name":5}`, 400, "BadRequestException"},
			{"maxResults over the limit", "GET", "/apps?maxResults=101", "", 400, "BadRequestException"},
			{"maxResults not a number", "GET", "/apps?maxResults=x", "", 400, "BadRequestException"},
			{"a bad platform", "POST", "/apps", `{"name":"x","platform":"TOASTER"}`, 400, "BadRequestException"},
			{"a bad bucket", "POST", "/apps/sharedapp/backendenvironments", `{"environmentName":"e2","deploymentArtifacts":"Not_A_Bucket"}`, 400, "BadRequestException"},
			{"unknown environment", "GET", "/apps/sharedapp/backendenvironments/nope", "", 404, "NotFoundException"},
			{"unknown operation", "PATCH", "/apps/sharedapp", "", 404, "UnknownOperationException"},
			{"huge", "POST", "/apps", `{"name":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "RequestEntityTooLargeException"},
		} {
			got := awsReq{service: "amplify", method: c.method, path: c.path, body: c.body, key: &keyA}.do(t, s.URL)
			if got.status != c.status || got.header.Get("x-amzn-ErrorType") != c.typ {
				t.Errorf("%s: %d %s %.200s", c.name, got.status, got.header.Get("x-amzn-ErrorType"), got.body)
			}
		}
		wrong := keyA
		wrong.SecretAccessKey = "forged"
		if code, typ, _ := hostingCall(t, s.URL, &wrong, "GET", "/apps", nil); code != 403 || typ != "InvalidSignatureException" {
			t.Errorf("forged: %d %s", code, typ)
		}
	})

	t.Run("RemoveAllBackends with cleanAmplifyApp removes the app", func(t *testing.T) {
		job(t, s.URL, &keyA, "sharedapp", "dev", "/backend/sharedapp/remove", map[string]any{"cleanAmplifyApp": true})
		if code, typ, _ := hostingCall(t, s.URL, &keyA, "GET", "/apps/sharedapp", nil); code != 404 || typ != "NotFoundException" {
			t.Errorf("GetApp after RemoveAllBackends: %d %s", code, typ)
		}
	})
}

func TestCognito_UserPoolsOfTheAuthResources(t *testing.T) {
	s := startSigned(t)
	buildBackend(t, s.URL, &keyA, "poolapp", "dev")
	meta := backendMeta(t, s.URL, &keyA, "poolapp", "dev")
	pool := get(meta, "auth", "pullauth", "output", "UserPoolId").(string)
	idp := func(key *sigv4.Credential, op, body string) (awsResp, map[string]any) {
		got := awsReq{service: "cognito-idp", method: "POST", path: "/", body: body, key: key, header: map[string]string{
			"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService." + op}}.do(t, s.URL)
		return got, jsonOf(t, got.body)
	}
	got, out := idp(&keyA, "ListUserPools", `{"MaxResults":60}`)
	pools, _ := out["UserPools"].([]any)
	if got.status != 200 || len(pools) != 1 || get(pools[0].(map[string]any), "Id") != pool || get(pools[0].(map[string]any), "Name") != "pullpool-dev" ||
		got.header.Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Fatalf("ListUserPools: %d %v", got.status, out)
	}
	if got, out := idp(&keyA, "ListIdentityProviders", `{"UserPoolId":"`+pool+`","MaxResults":60}`); got.status != 200 || len(out["Providers"].([]any)) != 0 {
		t.Errorf("ListIdentityProviders: %d %v", got.status, out)
	}
	for _, c := range []struct {
		name   string
		key    *sigv4.Credential
		op     string
		body   string
		status int
		typ    string
	}{
		{"another account's pool", &keyB, "DescribeUserPool", `{"UserPoolId":"` + pool + `"}`, 400, "ResourceNotFoundException"},
		{"no MaxResults", &keyA, "ListUserPools", `{}`, 400, "InvalidParameterException"},
		{"not JSON", &keyA, "ListUserPools", `{"MaxResults":`, 400, "SerializationException"},
		{"no pool id", &keyA, "ListIdentityProviders", `{}`, 400, "InvalidParameterException"},
		{"a write", &keyA, "DeleteUserPool", `{"UserPoolId":"` + pool + `"}`, 400, "UnknownOperationException"},
		{"another service's target", &keyA, "x", `{}`, 400, "UnknownOperationException"},
	} {
		if got, _ := idp(c.key, c.op, c.body); got.status != c.status || got.header.Get("x-amzn-ErrorType") != c.typ {
			t.Errorf("%s: %d %s %s", c.name, got.status, got.header.Get("x-amzn-ErrorType"), got.body)
		}
	}
}
