package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/amplifylite/amplifylite/internal/sigv4"
)

// An imported user pool (ImportBackendAuth) is what the Amplify CLI
// re-validates on pull: the deployment zip names it without "_" and
// declares its ids as environment parameters, SSM answers them, Cognito
// User Pools describes the pool and its app clients, Cognito Identity the
// identity pool federating them and its roles.
func TestImportedAuth_PulledThroughCognito(t *testing.T) {
	s := startSigned(t)
	const (
		pool     = "us-east-1_ImPoRtEd1"
		web      = "1webclient0imported0test0a"
		native   = "2nativeclient0imported0tes"
		idpool   = "us-east-1:4c5f2a3e-8b7d-4e1f-9a6c-2d3b4e5f6a7b"
		deployed = "useast1ImPoRtEd1"
	)
	job(t, s.URL, &keyA, "impapp", "dev", "/backend", map[string]any{"appId": "impapp", "appName": "imported", "backendEnvironmentName": "dev"})
	job(t, s.URL, &keyA, "impapp", "dev", "/backend/impapp/auth/dev/import", map[string]any{"backendEnvironmentName": "dev",
		"userPoolId": pool, "webClientId": web, "nativeClientId": native, "identityPoolId": idpool})
	buildBackend(t, s.URL, &keyA, "poolapp", "dev") // a pool of its own beside the imported one
	meta := backendMeta(t, s.URL, &keyA, "impapp", "dev")
	if got := get(meta, "auth", pool, "output", "AppClientIDWeb"); got != web {
		t.Fatalf("GetBackend keeps the pool id as the resource's name: %v", meta)
	}
	providers := meta["providers"].(map[string]any)["awscloudformation"].(map[string]any)

	// The deployment zip.
	files, _ := unzip(t, []byte(s3Get(t, s.URL, &keyA, "GET", "/"+providers["DeploymentBucketName"].(string)+"/%23current-cloud-backend.zip").body))
	var params map[string]any
	if err := json.Unmarshal(files["auth/"+deployed+"/parameters.json"], &params); err != nil {
		t.Fatalf("auth/%s/parameters.json: %v (%v)", deployed, err, files)
	}
	if params["authSelections"] != "identityPoolAndUserPool" || params["resourceName"] != deployed || params["serviceType"] != "imported" || params["region"] != "us-east-1" {
		t.Errorf("parameters.json: %v", params)
	}
	var config map[string]map[string]map[string]any
	if err := json.Unmarshal(files["backend-config.json"], &config); err != nil {
		t.Fatal(err)
	}
	if a := config["auth"][deployed]; a["serviceType"] != "imported" || a["service"] != "Cognito" {
		t.Errorf("backend-config.json auth: %v", config["auth"])
	}
	for _, n := range []string{"userPoolId", "userPoolName", "webClientId", "nativeClientId", "identityPoolId", "identityPoolName"} {
		if _, ok := config["parameters"]["AMPLIFY_auth_"+deployed+"_"+n]; !ok {
			t.Errorf("backend-config.json lacks parameter %s: %v", n, config["parameters"])
		}
	}
	var zipMeta map[string]map[string]map[string]any
	if err := json.Unmarshal(files["amplify-meta.json"], &zipMeta); err != nil {
		t.Fatal(err)
	}
	if out := zipMeta["auth"][deployed]["output"].(map[string]any); out["UserPoolId"] != pool || out["AppClientID"] != native || out["IdentityPoolId"] != idpool {
		t.Errorf("zip amplify-meta.json auth output: %v", out)
	}

	// SSM.
	got := awsReq{service: "ssm", method: "POST", path: "/", key: &keyA, body: `{"Names":["/amplify/impapp/dev/AMPLIFY_auth_` + deployed + `_webClientId"]}`,
		header: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM.GetParameters"}}.do(t, s.URL)
	if ps := jsonOf(t, got.body)["Parameters"].([]any); len(ps) != 1 || ps[0].(map[string]any)["Value"] != `"`+web+`"` {
		t.Errorf("GetParameters: %s", got.body)
	}

	call := func(service, target string) func(key *sigv4.Credential, op, body string) (awsResp, map[string]any) {
		return func(key *sigv4.Credential, op, body string) (awsResp, map[string]any) {
			got := awsReq{service: service, method: "POST", path: "/", body: body, key: key, header: map[string]string{
				"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target + op}}.do(t, s.URL)
			return got, jsonOf(t, got.body)
		}
	}
	idp, ident := call("cognito-idp", "AWSCognitoIdentityProviderService."), call("cognito-identity", "AWSCognitoIdentityService.")
	poolID := `{"UserPoolId":"` + pool + `"`

	// Cognito User Pools.
	if got, out := idp(&keyA, "ListUserPools", `{"MaxResults":60}`); got.status != 200 || len(out["UserPools"].([]any)) != 2 {
		t.Errorf("ListUserPools lists the imported pool and poolapp's: %s", got.body)
	}
	got, out := idp(&keyA, "DescribeUserPool", poolID+`}`)
	up, _ := out["UserPool"].(map[string]any)
	if got.status != 200 || up["Id"] != pool || up["Name"] != pool || up["MfaConfiguration"] != "OFF" ||
		get(up, "Policies", "PasswordPolicy", "MinimumLength") != 8.0 || up["Arn"] != "arn:aws:cognito-idp:us-east-1:"+keyA.Account+":userpool/"+pool {
		t.Errorf("DescribeUserPool: %s", got.body)
	}
	got, out = idp(&keyA, "ListUserPoolClients", poolID+`,"MaxResults":1}`)
	first, _ := out["UserPoolClients"].([]any)
	if got.status != 200 || len(first) != 1 || out["NextToken"] == nil {
		t.Fatalf("ListUserPoolClients page 1: %s", got.body)
	}
	got, out = idp(&keyA, "ListUserPoolClients", poolID+`,"MaxResults":1,"NextToken":"`+out["NextToken"].(string)+`"}`)
	second, _ := out["UserPoolClients"].([]any)
	if got.status != 200 || len(second) != 1 || out["NextToken"] != nil {
		t.Fatalf("ListUserPoolClients page 2: %s", got.body)
	}
	if ids := first[0].(map[string]any)["ClientId"].(string) + " " + second[0].(map[string]any)["ClientId"].(string); ids != web+" "+native {
		t.Errorf("the pool's clients: %s", ids)
	}
	got, out = idp(&keyA, "DescribeUserPoolClient", poolID+`,"ClientId":"`+web+`"}`)
	if c, _ := out["UserPoolClient"].(map[string]any); got.status != 200 || c["ClientId"] != web || c["UserPoolId"] != pool || c["ClientSecret"] != nil {
		t.Errorf("DescribeUserPoolClient (a web client has no secret): %s", got.body)
	}
	if got, out := idp(&keyA, "GetUserPoolMfaConfig", poolID+`}`); got.status != 200 || out["MfaConfiguration"] != "OFF" {
		t.Errorf("GetUserPoolMfaConfig: %s", got.body)
	}

	// Cognito Identity.
	got, out = ident(&keyA, "ListIdentityPools", `{"MaxResults":60}`)
	found := false
	for _, ip := range out["IdentityPools"].([]any) {
		found = found || ip.(map[string]any)["IdentityPoolId"] == idpool
	}
	if got.status != 200 || len(out["IdentityPools"].([]any)) != 2 || !found {
		t.Errorf("ListIdentityPools: %s", got.body)
	}
	got, out = ident(&keyA, "ListIdentityPools", `{"MaxResults":1}`)
	if got.status != 200 || len(out["IdentityPools"].([]any)) != 1 || out["NextToken"] == nil {
		t.Errorf("ListIdentityPools, one a page: %s", got.body)
	}
	got, out = ident(&keyA, "DescribeIdentityPool", `{"IdentityPoolId":"`+idpool+`"}`)
	cips, _ := out["CognitoIdentityProviders"].([]any)
	if got.status != 200 || out["IdentityPoolId"] != idpool || len(cips) != 2 {
		t.Fatalf("DescribeIdentityPool: %s", got.body)
	}
	for i, want := range []string{web, native} {
		c := cips[i].(map[string]any)
		if c["ProviderName"] != "cognito-idp.us-east-1.amazonaws.com/"+pool || c["ClientId"] != want {
			t.Errorf("DescribeIdentityPool provider %d: %v", i, c)
		}
	}
	got, out = ident(&keyA, "GetIdentityPoolRoles", `{"IdentityPoolId":"`+idpool+`"}`)
	if got.status != 200 || get(out, "Roles", "authenticated") != providers["AuthRoleArn"] || get(out, "Roles", "unauthenticated") != providers["UnauthRoleArn"] {
		t.Errorf("GetIdentityPoolRoles (the environment's roles): %s", got.body)
	}

	for _, c := range []struct {
		name    string
		call    func(*sigv4.Credential, string, string) (awsResp, map[string]any)
		key     *sigv4.Credential
		op      string
		body    string
		typ     string
		message string
	}{
		{"another account's pool", idp, &keyB, "DescribeUserPool", poolID + `}`, "ResourceNotFoundException", "User pool " + pool + " does not exist."},
		{"unknown client", idp, &keyA, "DescribeUserPoolClient", poolID + `,"ClientId":"nope"}`, "ResourceNotFoundException", "User pool client nope does not exist."},
		{"no client id", idp, &keyA, "DescribeUserPoolClient", poolID + `}`, "InvalidParameterException", "clientId"},
		{"clients without MaxResults", idp, &keyA, "ListUserPoolClients", poolID + `}`, "InvalidParameterException", "maxResults"},
		{"another account's identity pool", ident, &keyB, "DescribeIdentityPool", `{"IdentityPoolId":"` + idpool + `"}`, "ResourceNotFoundException", "IdentityPool '" + idpool + "' not found."},
		{"another account's roles", ident, &keyB, "GetIdentityPoolRoles", `{"IdentityPoolId":"` + idpool + `"}`, "ResourceNotFoundException", "not found"},
		{"malformed id", ident, &keyA, "DescribeIdentityPool", `{"IdentityPoolId":"nope"}`, "InvalidParameterException", "regular expression pattern"},
		{"no id", ident, &keyA, "GetIdentityPoolRoles", `{}`, "InvalidParameterException", "Member must not be null"},
		{"no MaxResults", ident, &keyA, "ListIdentityPools", `{}`, "InvalidParameterException", "maxResults"},
		{"MaxResults 61", ident, &keyA, "ListIdentityPools", `{"MaxResults":61}`, "InvalidParameterException", "less than or equal to 60"},
		{"bad token", ident, &keyA, "ListIdentityPools", `{"MaxResults":1,"NextToken":"!"}`, "InvalidParameterException", "nextToken"},
		{"not JSON", ident, &keyA, "ListIdentityPools", `{"MaxResults":`, "SerializationException", "not a valid JSON"},
		{"a write", ident, &keyA, "DeleteIdentityPool", `{"IdentityPoolId":"` + idpool + `"}`, "UnknownOperationException", "amplifylite serves only"},
	} {
		got, out := c.call(c.key, c.op, c.body)
		if got.status != 400 || got.header.Get("x-amzn-ErrorType") != c.typ || out["__type"] != c.typ ||
			!strings.Contains(out["message"].(string), c.message) || got.header.Get("Content-Type") != "application/x-amz-json-1.1" {
			t.Errorf("%s: %d %s %s", c.name, got.status, got.header.Get("x-amzn-ErrorType"), got.body)
		}
	}
	// A forged signature is refused in the service's protocol.
	forged := keyA
	forged.SecretAccessKey = "wrong"
	if got, _ := ident(&forged, "ListIdentityPools", `{"MaxResults":60}`); got.status != 403 || got.header.Get("x-amzn-ErrorType") == "" {
		t.Errorf("forged: %d %s", got.status, got.body)
	}
}
