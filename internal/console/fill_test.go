package console_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/server"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// start runs a server on a loopback port with an in-memory store.
func start(t testing.TB, tune func(*server.Options)) *server.Server {
	t.Helper()
	opts := server.DefaultOptions()
	opts.Listen, opts.DataDir, opts.JobDuration = "127.0.0.1:0", sqlite.Memory, 0
	if tune != nil {
		tune(&opts)
	}
	s, err := server.Start(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Close(ctx)
	})
	return s
}

// api calls the API over HTTP, signed for an account (the access key id
// selects it) and a region, as any AWS SDK would.
type api struct {
	t       testing.TB
	base    string
	account string
	region  string
}

func (a api) in(account, region string) api { a.account, a.region = account, region; return a }

// call sends one operation and decodes its answer; it fails the test on an
// error status unless wantErr.
func (a api) call(method, path string, body any) (map[string]any, int) {
	a.t.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(method, a.base+path, bytes.NewReader(raw))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(raw)
	key := a.account
	if key == "" {
		key = "AKIDEXAMPLE"
	}
	region := a.region
	if region == "" {
		region = "us-east-1"
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: "secret"},
		req, hex.EncodeToString(sum[:]), "amplifybackend", region, time.Now()); err != nil {
		a.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(out, &m)
	return m, resp.StatusCode
}

func (a api) ok(method, path string, body any) map[string]any {
	a.t.Helper()
	m, status := a.call(method, path, body)
	if status != 200 {
		a.t.Fatalf("%s %s: %d %v", method, path, status, m)
	}
	return m
}

// job runs a job-creating operation and waits until the job has finished.
func (a api) job(path string, body any) map[string]any {
	a.t.Helper()
	m := a.ok("POST", path, body)
	app, _ := m["appId"].(string)
	env, _ := m["backendEnvironmentName"].(string)
	id, _ := m["jobId"].(string)
	if id == "" || env == "" {
		return m
	}
	return a.wait(app, env, id)
}

func (a api) wait(app, env, id string) map[string]any {
	a.t.Helper()
	for i := 0; ; i++ {
		j := a.ok("GET", "/backend/"+esc(app)+"/job/"+esc(env)+"/"+esc(id), nil)
		if j["status"] != "RUNNING" || i > 500 {
			return j
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func esc(s string) string { return url.PathEscape(s) }

// control calls a control-plane endpoint.
func control(t testing.TB, base, method, path, body string) string {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, out)
	}
	return string(out)
}

const xssName = `<img src=x onerror=alert(1)>`

const blogSchema = `type Blog @model @auth(rules: [{ allow: public }]) {
  id: ID!
  name: String!
  posts: [Post] @hasMany
}

type Post @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) {
  id: ID!
  title: String!
  status: PostStatus
  blog: Blog @belongsTo
  comments: [Comment] @hasMany
  tags: [String]
}

type Comment @model @auth(rules: [{ allow: public }]) {
  id: ID!
  post: Post @belongsTo
  content: String!
  rating: Int
}

enum PostStatus {
  DRAFT
  PUBLISHED
}
`

const shopSchema = `type Product @model @auth(rules: [{ allow: public, operations: [read] }, { allow: groups, groups: ["Admins"] }]) {
  sku: String! @primaryKey(sortKeyFields: ["region"])
  region: String!
  name: String!
  price: Float!
  category: String @index(name: "byCategory", queryField: "productsByCategory")
  stock: Int
  details: ProductDetails
}

type Order @model @auth(rules: [{ allow: owner }]) {
  id: ID!
  customer: String! @index(name: "byCustomer")
  total: Float!
  placedAt: AWSDateTime!
}

type ProductDetails {
  weightGrams: Int
  color: String
}
`

func authConfig(method string, social bool) map[string]any {
	up := map[string]any{
		"signInMethod": method, "userPoolName": "pool", "requiredSignUpAttributes": []string{"EMAIL", "NAME"},
		"mfa":                 map[string]any{"MFAMode": "OPTIONAL", "settings": map[string]any{"mfaTypes": []string{"TOTP", "SMS"}, "smsMessage": "Your code is {####}"}},
		"passwordPolicy":      map[string]any{"minimumLength": 10, "additionalConstraints": []string{"REQUIRE_DIGIT", "REQUIRE_UPPERCASE", "REQUIRE_SYMBOL"}},
		"forgotPassword":      map[string]any{"deliveryMethod": "EMAIL", "emailSettings": map[string]any{"emailSubject": "Reset", "emailMessage": "Code {####}"}},
		"verificationMessage": map[string]any{"deliveryMethod": "EMAIL", "emailSettings": map[string]any{"emailSubject": "Verify", "emailMessage": "Code {####}"}},
	}
	if social {
		up["oAuth"] = map[string]any{"domainPrefix": "todo-auth", "oAuthGrantType": "CODE", "oAuthScopes": []string{"EMAIL", "OPENID", "PROFILE"},
			"redirectSignInURIs": []string{"https://todo.example.com/callback", "http://localhost:3000/"}, "redirectSignOutURIs": []string{"https://todo.example.com/"},
			"socialProviderSettings": map[string]any{"Google": map[string]any{"client_id": "1234-google.apps.googleusercontent.com", "client_secret": "s3cret"},
				"Facebook": map[string]any{"client_id": "fb-98765", "client_secret": "s3cret"}}}
	}
	return map[string]any{"authResources": "IDENTITY_POOL_AND_USER_POOL", "service": "COGNITO", "userPoolConfigs": up,
		"identityPoolConfigs": map[string]any{"identityPoolName": "todo_identity", "unauthenticatedLogin": true}}
}

// fill gives a server realistic state through the API: several accounts and
// regions, every resource kind (created and imported), generated models,
// Admin UI config, tokens, clones, failed and running jobs, hostile names,
// requests refused by fault rules. It leaves jobs in manual mode with a few
// RUNNING.
func fill(t testing.TB, base string) {
	t.Helper()
	c := api{t: t, base: base}
	dflt := c.in("000000000000", "us-east-1")

	// A hostile app first: its name and environment are markup.
	dflt.job("/backend", map[string]any{"appId": "d9hostile", "appName": xssName, "backendEnvironmentName": `"><svg onload=alert(2)>`})
	dflt.job("/backend", map[string]any{"appId": `x"><b>bold</b>`, "appName": `'; alert(3); //`, "backendEnvironmentName": "dev"})

	// Todo: auth with OAuth and social providers, an API with generated
	// models, storage, Admin UI config, a clone, a second environment.
	dflt.job("/backend", map[string]any{"appId": "d1todo", "appName": "Todo", "backendEnvironmentName": "dev"})
	dflt.job("/backend/d1todo/auth", map[string]any{"backendEnvironmentName": "dev", "resourceName": "todoauth", "resourceConfig": authConfig("EMAIL", true)})
	dflt.job("/backend/d1todo/api", map[string]any{"backendEnvironmentName": "dev", "resourceName": "todoapi", "resourceConfig": map[string]any{
		"apiName": "todoapi", "service": "AppSync", "transformSchema": blogSchema,
		"defaultAuthType":     map[string]any{"mode": "AMAZON_COGNITO_USER_POOLS", "settings": map[string]any{"cognitoUserPoolId": "us-east-1_AbCdEf123"}},
		"additionalAuthTypes": []any{map[string]any{"mode": "API_KEY", "settings": map[string]any{"expirationTime": 7, "description": "public reads"}}, map[string]any{"mode": "AWS_IAM"}},
		"conflictResolution":  map[string]any{"resolutionStrategy": "AUTOMERGE"}}})
	dflt.job("/backend/d1todo/api/dev/generateModels", map[string]any{"resourceName": "todoapi"})
	dflt.job("/backend/d1todo/storage", map[string]any{"backendEnvironmentName": "dev", "resourceName": "todofiles", "resourceConfig": map[string]any{
		"serviceName": "S3", "permissions": map[string]any{"authenticated": []string{"READ", "CREATE_AND_UPDATE", "DELETE"}, "unAuthenticated": []string{"READ"}}}})
	dflt.job("/backend/d1todo/config", map[string]any{"backendManagerAppId": "d1todo"})
	dflt.ok("POST", "/backend/d1todo/config/update", map[string]any{"loginAuthConfig": map[string]any{"aws_cognito_region": "us-east-1", "aws_user_pools_id": "us-east-1_AbCdEf123", "aws_user_pools_web_client_id": "7example1clientid"}})
	dflt.job("/backend/d1todo/environments/dev/clone", map[string]any{"targetEnvironmentName": "staging"})
	dflt.job("/backend", map[string]any{"appId": "d1todo", "appName": "Todo", "backendEnvironmentName": "prod"})
	dflt.ok("POST", "/backend/d1todo/challenge", nil)
	// The schema changes after generation: the models are STALE in staging.
	dflt.job("/backend/d1todo/api/staging", map[string]any{"resourceName": "todoapi", "resourceConfig": map[string]any{"transformSchema": blogSchema + "\ntype Tag @model { id: ID! label: String! }\n"}})
	// A generation that fails: the API has no schema.
	dflt.job("/backend/d1todo/api", map[string]any{"backendEnvironmentName": "prod", "resourceName": "emptyapi", "resourceConfig": map[string]any{"apiName": "emptyapi", "service": "AppSync"}})
	dflt.job("/backend/d1todo/api/prod/generateModels", map[string]any{"resourceName": "emptyapi"})

	// Shop in another account and region: custom keys, indexes, owner auth,
	// imported auth and storage.
	shop := c.in("111122223333", "eu-west-1")
	shop.job("/backend", map[string]any{"appId": "d2shop", "appName": "Shop", "backendEnvironmentName": "main"})
	shop.job("/backend/d2shop/auth/main/import", map[string]any{"userPoolId": "eu-west-1_Imported9", "nativeClientId": "native1", "webClientId": "web1", "identityPoolId": "eu-west-1:0f0e0d0c-1111-2222-3333-444455556666"})
	shop.job("/backend/d2shop/api", map[string]any{"backendEnvironmentName": "main", "resourceName": "shopapi", "resourceConfig": map[string]any{
		"apiName": "shopapi", "service": "AppSync", "transformSchema": shopSchema,
		"defaultAuthType":    map[string]any{"mode": "OPENID_CONNECT", "settings": map[string]any{"openIDProviderName": "Auth0", "openIDIssueURL": "https://shop.eu.auth0.com/", "openIDClientId": "abc"}},
		"conflictResolution": map[string]any{"resolutionStrategy": "OPTIMISTIC_CONCURRENCY"}}})
	shop.job("/backend/d2shop/api/main/generateModels", map[string]any{"resourceName": "shopapi"})
	shop.ok("POST", "/s3Buckets", nil)
	shop.job("/backend/d2shop/storage/main/import", map[string]any{"bucketName": "shop-assets-eu", "serviceName": "S3"})

	// More partitions.
	more := c.in("111122223333", "us-east-1")
	more.job("/backend", map[string]any{"appId": "d3admin", "appName": "Admin portal", "backendEnvironmentName": "dev"})
	more.job("/backend/d3admin/auth", map[string]any{"backendEnvironmentName": "dev", "resourceName": "adminauth", "resourceConfig": authConfig("USERNAME", false)})
	syd := c.in("444455556666", "ap-southeast-2")
	syd.job("/backend", map[string]any{"appId": "d4mobile", "appName": "Mobile", "backendEnvironmentName": "beta"})
	syd.job("/backend/d4mobile/storage", map[string]any{"backendEnvironmentName": "beta", "resourceName": "media", "resourceConfig": map[string]any{
		"serviceName": "S3", "permissions": map[string]any{"authenticated": []string{"READ", "CREATE_AND_UPDATE"}}}})

	// Failed and running jobs, in manual mode.
	control(t, base, "PUT", "/_amplifylite/jobs/config", `{"mode":"manual"}`)
	more.ok("POST", "/backend/d3admin/environments/dev/clone", map[string]any{"targetEnvironmentName": "qa"})
	control(t, base, "POST", "/_amplifylite/jobs/advance", `{"appId":"d3admin","status":"FAILED","error":"Service quota exceeded: 5 environments per app in account 111122223333"}`)
	syd.ok("POST", "/backend/d4mobile/environments/beta/remove", nil)
	control(t, base, "POST", "/_amplifylite/jobs/advance", `{"appId":"d4mobile","status":"FAILED","error":"CloudFormation stack amplify-d4mobile-beta is in UPDATE_ROLLBACK_FAILED"}`)
	dflt.ok("POST", "/backend/d1todo/api/prod/generateModels", map[string]any{"resourceName": "emptyapi"})
	shop.ok("POST", "/backend/d2shop/api/main/generateModels", map[string]any{"resourceName": "shopapi"})
	syd.ok("POST", "/backend", map[string]any{"appId": "d4mobile", "appName": "Mobile", "backendEnvironmentName": "prod"})

	// Requests refused: a throttling rule, an unknown app, a bad request.
	control(t, base, "POST", "/_amplifylite/faults", `{"operation":"GetBackend","appId":"d1todo","count":2,"description":"throttle the Todo app","error":{"statusCode":429,"code":"TooManyRequestsException","message":"Rate exceeded"}}`)
	control(t, base, "POST", "/_amplifylite/faults", `{"region":"eu-west-1","latencyMs":120,"description":"slow Europe"}`)
	for range 3 {
		dflt.call("POST", "/backend/d1todo/details", map[string]any{"backendEnvironmentName": "dev"})
	}
	dflt.call("POST", "/backend/nosuchapp/details", nil)
	shop.call("POST", "/backend/d2shop/details", map[string]any{"backendEnvironmentName": "main"})
	dflt.call("POST", "/backend", map[string]any{"appId": "d5"})
}
