// Package upgradetest proves that a database written by an earlier release
// opens in this one and reads back exactly as it did: Populate fills a server
// with every kind of record, Reads records every read answer, and the test
// compares a committed fixture database's reads with the answers recorded by
// the release that wrote it (testdata/<release>/). The fixture command
// (./fixture) writes a new fixture with a given release's binary.
package upgradetest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
)

// Partitions are the (account, region) pairs a fixture holds state in: two
// accounts, two regions.
var Partitions = []struct{ Account, Region string }{
	{"000000000000", "us-east-1"},
	{"111122223333", "eu-west-1"},
	{"000000000000", "eu-west-1"},
}

// Client calls a server as one partition. Requests are not signed: the
// partition comes from the credential scope, which a server without
// --credentials reads without verifying.
type Client struct {
	URL             string
	Account, Region string
	HTTP            *http.Client
}

// Answer is one response: status and body, verbatim.
type Answer struct {
	Name   string `json:"name"`
	Status int    `json:"status"`
	Body   string `json:"body"`
}

func (c *Client) do(method, path, body string) (Answer, error) {
	req, err := http.NewRequest(method, c.URL+path, strings.NewReader(body))
	if err != nil {
		return Answer{}, err
	}
	key := "AKIDFIXTURE"
	if c.Account != "000000000000" {
		key = c.Account // a 12-digit key selects the account
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+key+"/20260101/"+c.Region+"/amplifybackend/aws4_request, SignedHeaders=host, Signature=00")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return Answer{}, err
	}
	return Answer{Name: method + " " + path + " " + body, Status: resp.StatusCode, Body: string(raw)}, nil
}

// ok calls and requires 200, returning the decoded body.
func (c *Client) ok(method, path, body string) (map[string]any, error) {
	a, err := c.do(method, path, body)
	if err != nil {
		return nil, err
	}
	if a.Status != 200 {
		return nil, fmt.Errorf("%s: %d %s", a.Name, a.Status, a.Body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(a.Body), &m); err != nil {
		return nil, fmt.Errorf("%s: %w", a.Name, err)
	}
	return m, nil
}

// finish starts a job and ends it through UpdateBackendJob with status
// (the server runs with jobs that never finish on their own, so every
// outcome is deterministic).
func (c *Client) finish(status, app, env, path, body string) error {
	m, err := c.ok("POST", path, body)
	if err != nil {
		return err
	}
	id, _ := m["jobId"].(string)
	_, err = c.ok("POST", "/backend/"+app+"/job/"+env+"/"+id, `{"status":"`+status+`"}`)
	return err
}

const authConfig = `{"authResources":"IDENTITY_POOL_AND_USER_POOL","service":"COGNITO",
 "identityPoolConfigs":{"identityPoolName":"idp","unauthenticatedLogin":true},
 "userPoolConfigs":{"userPoolName":"pool","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL","NAME"],
  "mfa":{"MFAMode":"OPTIONAL","settings":{"mfaTypes":["TOTP"],"smsMessage":"code {####}"}},
  "passwordPolicy":{"minimumLength":8.0,"additionalConstraints":["REQUIRE_DIGIT"]},
  "oAuth":{"oAuthGrantType":"CODE","oAuthScopes":["EMAIL","OPENID"],"redirectSignInURIs":["https://a/"],"redirectSignOutURIs":["https://a/out"],
   "socialProviderSettings":{"Facebook":{"client_id":"fb","client_secret":"fbs"}}}}}`

const schema = `type Blog @model { id: ID! name: String! posts: [Post] @hasMany }\n` +
	`type Post @model { id: ID! title: String! blog: Blog @belongsTo tags: [Tag] @manyToMany(relationName: \"PostTags\") }\n` +
	`type Tag @model { id: ID! label: String! posts: [Post] @manyToMany(relationName: \"PostTags\") }`

// Populate fills the partition with every kind of record: apps with
// environments (one cloned), auth, API (with generated models, then an
// updated schema so they are STALE elsewhere), storage, imported auth and
// storage, Admin UI config, COMPLETED and FAILED jobs (enough for several
// pages), and tokens, whose session ids it returns.
func (c *Client) Populate() ([]string, error) {
	const app, env = "fx-app", "dev"
	steps := []struct{ status, app, env, path, body string }{
		{"COMPLETED", app, env, "/backend", `{"appId":"fx-app","appName":"Fixture App","backendEnvironmentName":"dev"}`},
		{"COMPLETED", app, env, "/backend/fx-app/auth", `{"backendEnvironmentName":"dev","resourceName":"fxauth","resourceConfig":` + authConfig + `}`},
		{"COMPLETED", app, env, "/backend/fx-app/api", `{"backendEnvironmentName":"dev","resourceName":"fxapi","resourceConfig":{"apiName":"fxapi","transformSchema":"` + schema + `",
			"defaultAuthType":{"mode":"AMAZON_COGNITO_USER_POOLS","settings":{"cognitoUserPoolId":"pool"}},"conflictResolution":{"resolutionStrategy":"AUTOMERGE"}}}`},
		{"COMPLETED", app, env, "/backend/fx-app/api/dev/generateModels", `{"resourceName":"fxapi"}`},
		{"COMPLETED", app, env, "/backend/fx-app/storage", `{"backendEnvironmentName":"dev","resourceName":"fxfiles","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["READ","CREATE_AND_UPDATE"],"unAuthenticated":["READ"]}}}`},
		{"FAILED", app, env, "/backend/fx-app/api", `{"backendEnvironmentName":"dev","resourceName":"failedapi","resourceConfig":{"apiName":"failedapi"}}`},
		{"COMPLETED", app, env, "/backend/fx-app/config", `{}`},
		{"COMPLETED", app, env, "/backend/fx-app/environments/dev/clone", `{"targetEnvironmentName":"staging"}`},
		{"COMPLETED", app, "staging", "/backend/fx-app/api/staging", `{"resourceName":"fxapi","resourceConfig":{"transformSchema":"type Note @model { id: ID! text: String }"}}`},
		{"COMPLETED", "fx-second", "prod", "/backend", `{"appId":"fx-second","appName":"Second","backendEnvironmentName":"prod"}`},
		{"COMPLETED", "fx-second", "prod", "/backend/fx-second/auth/prod/import", `{"userPoolId":"us-east-1_imported","webClientId":"web","nativeClientId":"native","identityPoolId":"us-east-1:idp"}`},
		{"COMPLETED", "fx-second", "prod", "/backend/fx-second/storage/prod/import", `{"bucketName":"fixture-imported-bucket","serviceName":"S3"}`},
	}
	for _, s := range steps {
		if err := c.finish(s.status, s.app, s.env, s.path, s.body); err != nil {
			return nil, err
		}
	}
	// Jobs for several pages of ListBackendJobs.
	for i := range 12 {
		status := "COMPLETED"
		if i%4 == 0 {
			status = "FAILED"
		}
		if err := c.finish(status, app, env, "/backend/fx-app/api/dev", fmt.Sprintf(`{"resourceName":"fxapi","resourceConfig":{"apiName":"fxapi-%d"}}`, i)); err != nil {
			return nil, err
		}
	}
	if _, err := c.ok("POST", "/backend/fx-app/config/update", `{"loginAuthConfig":{"awsCognitoIdentityPoolId":"idp","awsCognitoRegion":"us-east-1","awsUserPoolsId":"pool","awsUserPoolsWebClientId":"web"}}`); err != nil {
		return nil, err
	}
	var sessions []string
	for range 2 {
		m, err := c.ok("POST", "/backend/fx-app/challenge", ``)
		if err != nil {
			return nil, err
		}
		sessions = append(sessions, m["sessionId"].(string))
	}
	return sessions, nil
}

// nonce matches a page token, which is different at every call.
var nonce = regexp.MustCompile(`"nextToken":"[^"]*"`)

// Reads makes every read of the partition's state and returns the answers,
// with page tokens (random by design) blanked. sessions are the tokens'
// session ids (GetToken has no listing).
func (c *Client) Reads(sessions []string) ([]Answer, error) {
	var out []Answer
	read := func(method, path, body string) (Answer, error) {
		a, err := c.do(method, path, body)
		if err != nil {
			return a, err
		}
		a.Body = nonce.ReplaceAllString(a.Body, `"nextToken":"…"`)
		a.Name = c.Account + "/" + c.Region + " " + a.Name
		out = append(out, a)
		return a, nil
	}
	for _, r := range []struct{ method, path, body string }{
		{"POST", "/s3Buckets", `{}`},
		{"POST", "/backend/fx-app/details", `{}`},
		{"POST", "/backend/fx-second/details", `{}`},
		{"POST", "/backend/nope/details", `{}`},
	} {
		if _, err := read(r.method, r.path, r.body); err != nil {
			return nil, err
		}
	}
	for _, ae := range [][2]string{{"fx-app", "dev"}, {"fx-app", "staging"}, {"fx-second", "prod"}} {
		app, env := ae[0], ae[1]
		base := "/backend/" + app
		reads := []struct{ method, path, body string }{
			{"POST", base + "/details", `{"backendEnvironmentName":"` + env + `"}`},
			{"POST", base + "/auth/" + env + "/details", `{"resourceName":"fxauth"}`},
			{"POST", base + "/auth/" + env + "/details", `{"resourceName":"us-east-1_imported"}`},
			{"POST", base + "/api/" + env + "/details", `{"resourceName":"fxapi"}`},
			{"POST", base + "/api/" + env + "/getModels", `{"resourceName":"fxapi"}`},
			{"POST", base + "/storage/" + env + "/details", `{"resourceName":"fxfiles"}`},
			{"POST", base + "/storage/" + env + "/details", `{"resourceName":"fixture-imported-bucket"}`},
		}
		for _, r := range reads {
			if _, err := read(r.method, r.path, r.body); err != nil {
				return nil, err
			}
		}
		// Every page, through this server's own tokens; then every job alone.
		var ids []string
		body := `{"maxResults":5}`
		for {
			a, err := c.do("POST", base+"/job/"+env, body)
			if err != nil {
				return nil, err
			}
			var page struct {
				Jobs []struct {
					JobID string `json:"jobId"`
				} `json:"jobs"`
				NextToken string `json:"nextToken"`
			}
			json.Unmarshal([]byte(a.Body), &page)
			a.Body = nonce.ReplaceAllString(a.Body, `"nextToken":"…"`)
			a.Name = fmt.Sprintf("%s/%s ListBackendJobs %s %s page %d", c.Account, c.Region, app, env, len(ids)/5+1)
			out = append(out, a)
			for _, j := range page.Jobs {
				ids = append(ids, j.JobID)
			}
			if page.NextToken == "" || a.Status != 200 {
				break
			}
			body = `{"maxResults":5,"nextToken":"` + page.NextToken + `"}`
		}
		for _, filter := range []string{`{"status":"FAILED"}`, `{"operation":"CloneBackend"}`} {
			if _, err := read("POST", base+"/job/"+env, filter); err != nil {
				return nil, err
			}
		}
		sort.Strings(ids)
		for _, id := range ids {
			if _, err := read("GET", base+"/job/"+env+"/"+id, ""); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range sessions {
		if _, err := read("GET", "/backend/fx-app/challenge/"+s, ""); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Fixture is what answers.json holds: the partitions' token sessions and
// the answers the writing release gave.
type Fixture struct {
	Release  string              `json:"release"`
	Sessions map[string][]string `json:"sessions"` // "account/region" → session ids
	Answers  []Answer            `json:"answers"`
}

// Diff describes the first difference between want and got, or "".
func Diff(want, got []Answer) string {
	for i := range max(len(want), len(got)) {
		switch {
		case i >= len(got):
			return fmt.Sprintf("missing answer %d: %s", i, want[i].Name)
		case i >= len(want):
			return fmt.Sprintf("extra answer %d: %s", i, got[i].Name)
		case want[i] != got[i]:
			return fmt.Sprintf("answer %d (%s):\n got %d %s\nwant %d %s", i, want[i].Name, got[i].Status, got[i].Body, want[i].Status, want[i].Body)
		}
	}
	return ""
}
