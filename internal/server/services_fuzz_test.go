package server

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
	"github.com/amplifylite/amplifylite/internal/httpapi"
	"github.com/amplifylite/amplifylite/internal/store/sqlite"
)

// FuzzServices drives the services served beside AmplifyBackend through
// the HTTP edge, in-process, over a real domain holding one pulled backend:
// any signing name, method, path and body. No request may fault the server
// (5xx) or go unanswered.
func FuzzServices(f *testing.F) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	svc, err := backend.New(ctx, store, backend.Config{TokenTTL: time.Minute})
	if err != nil {
		f.Fatal(err)
	}
	signed, public := services(svc, slog.New(slog.DiscardHandler), false)
	h := httpapi.New(svc, httpapi.Options{Services: signed, Public: public})
	do := func(service, method, path, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "http://127.0.0.1:4750/", strings.NewReader(body))
		r.URL.Path, r.URL.RawPath, r.RequestURI = "", "", ""
		if u, err := r.URL.Parse(path); err == nil {
			r.URL = u
		}
		if service == "cognito-idp" {
			ops := []string{"ListUserPools", "DescribeUserPool", "ListIdentityProviders", "DescribeIdentityProvider",
				"ListUserPoolClients", "DescribeUserPoolClient", "GetUserPoolMfaConfig"}
			r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+ops[len(body)%len(ops)])
		}
		if service == "cognito-identity" {
			ops := []string{"ListIdentityPools", "DescribeIdentityPool", "GetIdentityPoolRoles"}
			r.Header.Set("X-Amz-Target", "AWSCognitoIdentityService."+ops[len(body)%len(ops)])
		}
		if service == "ssm" {
			r.Header.Set("X-Amz-Target", "AmazonSSM.GetParameters")
		}
		if service != "" {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261130/us-east-1/"+service+"/aws4_request, SignedHeaders=host, Signature=00")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for _, s := range []struct{ path, body string }{
		{"/backend", `{"appId":"app1","appName":"n","backendEnvironmentName":"dev"}`},
		{"/backend/app1/auth", `{"backendEnvironmentName":"dev","resourceName":"auth1","resourceConfig":{"authResources":"IDENTITY_POOL_AND_USER_POOL","service":"COGNITO","identityPoolConfigs":{"identityPoolName":"i","unauthenticatedLogin":true},"userPoolConfigs":{"userPoolName":"p","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"]}}}`},
		{"/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"apiName":"api1","service":"AppSync","transformSchema":"type Todo @model { id: ID! }","defaultAuthType":{"mode":"API_KEY"}}}`},
		{"/backend/app1/config", `{}`},
		{"/backend", `{"appId":"app2","appName":"n","backendEnvironmentName":"dev"}`},
		{"/backend/app2/auth/dev/import", `{"backendEnvironmentName":"dev","userPoolId":"us-east-1_Imp1","webClientId":"w1","nativeClientId":"n1","identityPoolId":"us-east-1:0a1b2c3d-0000-4000-8000-000000000001"}`},
	} {
		if w := do("amplifybackend", "POST", s.path, s.body); w.Code != 200 {
			f.Fatalf("%s: %d %s", s.path, w.Code, w.Body)
		}
		if _, err := svc.FinishDueJobs(ctx); err != nil {
			f.Fatal(err)
		}
	}
	bucket := "/amplify-app1-dev-" // completed by the derived digits; the fuzzer explores from there
	for _, s := range []struct{ service, method, path, body string }{
		{"sts", "POST", "/", "Action=GetCallerIdentity&Version=2011-06-15"},
		{"sts", "GET", "/?Action=GetCallerIdentity", ""},
		{"amplify", "GET", "/apps/app1", ""},
		{"amplify", "GET", "/apps?maxResults=1&nextToken=x.y", ""},
		{"amplify", "POST", "/apps", `{"name":"n","environmentVariables":{"a":"b"}}`},
		{"amplify", "POST", "/apps/app1/backendenvironments", `{"environmentName":"e","deploymentArtifacts":"b-b-b"}`},
		{"amplify", "DELETE", "/apps/app1/backendenvironments/dev", ""},
		{"s3", "GET", "/", ""},
		{"s3", "GET", bucket + "?list-type=2&max-keys=1", ""},
		{"s3", "HEAD", bucket + "/%23current-cloud-backend.zip", ""},
		{"s3", "GET", "/b/%2e%2e/x", ""},
		{"cloudformation", "POST", "/", "Action=DescribeStacks&StackName=arn:aws:cloudformation:us-east-1:0:stack/x/y"},
		{"cloudformation", "POST", "/", "Action=ListStackResources&StackName=amplify-app1-dev"},
		{"amplifyuibuilder", "GET", "/app/app1/environment/dev/metadata", ""},
		{"cognito-idp", "POST", "/", `{"MaxResults":60}`},
		{"cognito-idp", "POST", "/", `{"UserPoolId":"us-east-1_x","ProviderName":"Google"}`},
		{"cognito-idp", "POST", "/", `{"UserPoolId":"us-east-1_Imp1","ClientId":"w1"}`},
		{"cognito-idp", "POST", "/", `{"UserPoolId":"us-east-1_Imp1","MaxResults":1,"NextToken":"dzE"}`},
		{"cognito-identity", "POST", "/", `{"MaxResults":1}`},
		{"cognito-identity", "POST", "/", `{"IdentityPoolId":"us-east-1:0a1b2c3d-0000-4000-8000-000000000001"}`},
		{"cognito-identity", "POST", "/", `{"MaxResults":60,"NextToken":"x"}`},
		{"ssm", "POST", "/", `{"Names":["/amplify/app2/dev/AMPLIFY_auth_useast1Imp1_userPoolId"]}`},
		{"ssm", "POST", "/", `{"Names":["/amplify/app1/dev/AMPLIFY_storage_b_bucketName","/amplify/app1/dev/x"]}`},
		{"s3", "GET", "/b?location", ""},
		{"", "GET", "/AppState/?appId=app1", ""},
		{"", "GET", "/AppState/app1", ""},
		{"", "GET", "/app/x", ""},
	} {
		f.Add(s.service, s.method, s.path, s.body)
	}
	f.Fuzz(func(t *testing.T, service, method, path, body string) {
		if !methodRE.MatchString(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(service, ", /\r\n") {
			return
		}
		w := do(service, method, path, body)
		if w.Code >= 500 || w.Code == 0 {
			t.Fatalf("%s %s %s (%s): %d %s", service, method, path, body, w.Code, w.Body)
		}
		if len(w.Header()["x-amzn-RequestId"]) == 0 {
			t.Fatalf("no request id")
		}
	})
}

var methodRE = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
