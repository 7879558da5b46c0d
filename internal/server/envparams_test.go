package server

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/amplifylite/amplifylite/internal/sigv4"
)

// An imported bucket is an environment parameter of a pulled project: the
// deployment zip declares it in backend-config.json, SSM GetParameters
// answers it, and S3 HeadBucket/GetBucketLocation find the bucket.
func TestSSM_ImportedStorageParameters(t *testing.T) {
	s := startSigned(t)
	job(t, s.URL, &keyA, "paramapp", "dev", "/backend", map[string]any{"appId": "paramapp", "appName": "params", "backendEnvironmentName": "dev"})
	job(t, s.URL, &keyA, "paramapp", "dev", "/backend/paramapp/storage/dev/import",
		map[string]any{"backendEnvironmentName": "dev", "bucketName": "param-imported-bucket", "serviceName": "S3"})
	meta := backendMeta(t, s.URL, &keyA, "paramapp", "dev")
	bucket := get(meta, "providers", "awscloudformation", "DeploymentBucketName").(string)

	files, _ := unzip(t, []byte(s3Get(t, s.URL, &keyA, "GET", "/"+bucket+"/%23current-cloud-backend.zip").body))
	var config struct {
		Parameters map[string]struct {
			UsedBy []map[string]string `json:"usedBy"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(files["backend-config.json"], &config); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bucketName", "region"} {
		p, ok := config.Parameters["AMPLIFY_storage_param-imported-bucket_"+name]
		if !ok || len(p.UsedBy) != 1 || p.UsedBy[0]["category"] != "storage" || p.UsedBy[0]["resourceName"] != "param-imported-bucket" {
			t.Errorf("backend-config.json parameters: %s", files["backend-config.json"])
		}
	}
	if got := string(files["storage/param-imported-bucket/parameters.json"]); !strings.Contains(got, `"serviceType": "imported"`) {
		t.Errorf("storage parameters.json: %q", got)
	}

	ssm := func(key *sigv4.Credential, op, body string) (awsResp, map[string]any) {
		got := awsReq{service: "ssm", method: "POST", path: "/", body: body, key: key, header: map[string]string{
			"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM." + op}}.do(t, s.URL)
		return got, jsonOf(t, got.body)
	}
	prefix := "/amplify/paramapp/dev/AMPLIFY_storage_param-imported-bucket_"
	got, out := ssm(&keyA, "GetParameters", `{"Names":["`+prefix+`bucketName","`+prefix+`region","`+prefix+`nosuch","/amplify/nosuchapp/dev/x"],"WithDecryption":false}`)
	if got.status != 200 || got.header.Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Fatalf("GetParameters: %d %s", got.status, got.body)
	}
	params := map[string]string{}
	for _, p := range out["Parameters"].([]any) {
		m := p.(map[string]any)
		params[m["Name"].(string)] = m["Value"].(string)
		if m["Type"] != "String" || m["ARN"] != "arn:aws:ssm:us-east-1:"+keyA.Account+":parameter"+m["Name"].(string) {
			t.Errorf("parameter %v", m)
		}
	}
	if params[prefix+"bucketName"] != `"param-imported-bucket"` || params[prefix+"region"] != `"us-east-1"` || len(params) != 2 {
		t.Errorf("Parameters: %v", params)
	}
	if inv := out["InvalidParameters"].([]any); len(inv) != 2 || inv[0] != prefix+"nosuch" {
		t.Errorf("InvalidParameters: %v", inv)
	}
	if _, out := ssm(&keyB, "GetParameters", `{"Names":["`+prefix+`bucketName"]}`); len(out["Parameters"].([]any)) != 0 {
		t.Errorf("another account sees %v", out)
	}
	for _, c := range []struct{ name, op, body, typ string }{
		{"no names", "GetParameters", `{}`, "ValidationException"},
		{"eleven names", "GetParameters", `{"Names":["a","b","c","d","e","f","g","h","i","j","k"]}`, "ValidationException"},
		{"empty name", "GetParameters", `{"Names":[""]}`, "ValidationException"},
		{"not JSON", "GetParameters", `{"Names":`, "SerializationException"},
		{"a write", "PutParameter", `{"Name":"x","Value":"y"}`, "UnknownOperationException"},
	} {
		if got, _ := ssm(&keyA, c.op, c.body); got.status != 400 || got.header.Get("x-amzn-ErrorType") != c.typ {
			t.Errorf("%s: %d %s %s", c.name, got.status, got.header.Get("x-amzn-ErrorType"), got.body)
		}
	}

	if got := s3Get(t, s.URL, &keyA, "HEAD", "/param-imported-bucket"); got.status != 200 || got.header.Get("x-amz-bucket-region") != "us-east-1" {
		t.Errorf("HeadBucket: %d %v", got.status, got.header)
	}
	if got := s3Get(t, s.URL, &keyA, "GET", "/param-imported-bucket?location"); got.status != 200 ||
		!strings.Contains(got.body, `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>`) {
		t.Errorf("GetBucketLocation: %d %s", got.status, got.body)
	}
	if got := s3Get(t, s.URL, &keyB, "GET", "/param-imported-bucket?location"); got.status != 404 || !strings.Contains(got.body, "NoSuchBucket") {
		t.Errorf("GetBucketLocation, another account: %d %s", got.status, got.body)
	}
}
