package backend_test

import (
	"strings"
	"testing"
)

// TestOperations_ErrorPaths checks each operation's failures against a fixed
// state: app1/dev with auth "authx", API "api1" and storage "files"; app2 has
// no environment.
func TestOperations_ErrorPaths(t *testing.T) {
	h := newHarness(t)
	h.seed()
	h.job("/backend/app1/auth", `{"backendEnvironmentName":"dev","resourceName":"authx","resourceConfig":`+authConfig+`}`)
	h.job("/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{"transformSchema":`+jsonString(schema)+`}}`)
	h.job("/backend/app1/storage", `{"backendEnvironmentName":"dev","resourceName":"files","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["READ"]}}}`)
	h.job("/backend", `{"appId":"app2","appName":"two","backendEnvironmentName":"tmp"}`)
	h.job("/backend/app2/environments/tmp/remove", "")

	tests := []struct {
		name, method, path, body string
		status                   int
		errType, resourceType    string
		msg                      string // substring of the message
	}{
		{"CreateBackend env exists", "POST", "/backend", `{"appId":"app1","appName":"x","backendEnvironmentName":"dev"}`, 400, "BadRequestException", "", "already exists"},
		{"CreateBackend missing members", "POST", "/backend", `{}`, 400, "BadRequestException", "", "3 validation errors detected: Value at 'appId'"},
		{"CreateBackend control char", "POST", "/backend", `{"appId":"a\u0001","appName":"x","backendEnvironmentName":"dev"}`, 400, "BadRequestException", "", "'appId'"},
		{"CreateBackend name too long", "POST", "/backend", `{"appId":"` + strings.Repeat("a", 256) + `","appName":"x","backendEnvironmentName":"dev"}`, 400, "BadRequestException", "", "less than or equal to 255"},
		{"GetBackend unknown app", "POST", "/backend/nope/details", `{}`, 404, "NotFoundException", "App", "nope"},
		{"GetBackend control char in path", "POST", "/backend/a%00b/details", `{}`, 400, "BadRequestException", "", "Value at 'appId'"},
		{"GetBackendJob long path param", "GET", "/backend/app1/job/dev/" + strings.Repeat("j", 300), "", 400, "BadRequestException", "", "Value at 'jobId'"},
		{"GetBackend unknown env", "POST", "/backend/app1/details", `{"backendEnvironmentName":"zzz"}`, 404, "NotFoundException", "BackendEnvironment", "zzz"},
		{"CloneBackend unknown source", "POST", "/backend/app1/environments/zzz/clone", `{"targetEnvironmentName":"new"}`, 404, "NotFoundException", "BackendEnvironment", ""},
		{"CloneBackend target exists", "POST", "/backend/app1/environments/dev/clone", `{"targetEnvironmentName":"dev"}`, 400, "BadRequestException", "", "differ"},
		{"CloneBackend missing target", "POST", "/backend/app1/environments/dev/clone", `{}`, 400, "BadRequestException", "", "'targetEnvironmentName'"},
		{"DeleteBackend unknown env", "POST", "/backend/app1/environments/zzz/remove", "", 404, "NotFoundException", "BackendEnvironment", ""},
		{"DeleteBackend unknown app", "POST", "/backend/nope/environments/dev/remove", "", 404, "NotFoundException", "App", ""},
		{"RemoveAllBackends unknown app", "POST", "/backend/nope/remove", `{}`, 404, "NotFoundException", "App", ""},
		{"RemoveAllBackends bad type", "POST", "/backend/app1/remove", `{"cleanAmplifyApp":"yes"}`, 400, "BadRequestException", "", "'cleanAmplifyApp'"},
		{"CreateBackendAuth second auth", "POST", "/backend/app1/auth", `{"backendEnvironmentName":"dev","resourceName":"other","resourceConfig":` + authConfig + `}`, 400, "BadRequestException", "", "already has a resource of type Auth"},
		{"CreateBackendAuth unknown env", "POST", "/backend/app1/auth", `{"backendEnvironmentName":"zzz","resourceName":"a","resourceConfig":` + authConfig + `}`, 404, "NotFoundException", "BackendEnvironment", ""},
		{"CreateBackendAuth nested enum", "POST", "/backend/app1/auth", `{"backendEnvironmentName":"dev","resourceName":"a","resourceConfig":{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"userPoolName":"p","signInMethod":"FAX","requiredSignUpAttributes":[]}}}`, 400, "BadRequestException", "",
			"Value at 'resourceConfig.userPoolConfigs.signInMethod' failed to satisfy constraint: Member must satisfy enum value set: [EMAIL, EMAIL_AND_PHONE_NUMBER, PHONE_NUMBER, USERNAME]"},
		{"CreateBackendAuth deep missing", "POST", "/backend/app1/auth", `{"backendEnvironmentName":"dev","resourceName":"a","resourceConfig":{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"userPoolName":"p","signInMethod":"EMAIL","requiredSignUpAttributes":[],"mfa":{}}}}`, 400, "BadRequestException", "", "'resourceConfig.userPoolConfigs.mfa.MFAMode'"},
		{"GetBackendAuth unknown", "POST", "/backend/app1/auth/dev/details", `{"resourceName":"zzz"}`, 404, "NotFoundException", "Auth", "zzz"},
		{"UpdateBackendAuth unknown", "POST", "/backend/app1/auth/dev", `{"resourceName":"zzz","resourceConfig":{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{}}}`, 404, "NotFoundException", "Auth", ""},
		{"DeleteBackendAuth unknown", "POST", "/backend/app1/auth/dev/remove", `{"resourceName":"zzz"}`, 404, "NotFoundException", "Auth", ""},
		{"ImportBackendAuth auth exists", "POST", "/backend/app1/auth/dev/import", `{"userPoolId":"p","webClientId":"w","nativeClientId":"n"}`, 400, "BadRequestException", "", "already has"},
		{"ImportBackendAuth missing", "POST", "/backend/app1/auth/dev/import", `{"userPoolId":"p"}`, 400, "BadRequestException", "", "2 validation errors"},
		{"CreateBackendAPI duplicate", "POST", "/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api1","resourceConfig":{}}`, 400, "BadRequestException", "", "already exists"},
		{"CreateBackendAPI bad enum", "POST", "/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api2","resourceConfig":{"defaultAuthType":{"mode":"PASSWORD"}}}`, 400, "BadRequestException", "", "'resourceConfig.defaultAuthType.mode'"},
		{"CreateBackendAPI double type", "POST", "/backend/app1/api", `{"backendEnvironmentName":"dev","resourceName":"api2","resourceConfig":{"defaultAuthType":{"mode":"API_KEY","settings":{"expirationTime":"7"}}}}`, 400, "BadRequestException", "", "resourceConfig.defaultAuthType.settings.expirationTime"},
		{"GetBackendAPI unknown", "POST", "/backend/app1/api/dev/details", `{"resourceName":"zzz"}`, 404, "NotFoundException", "API", ""},
		{"UpdateBackendAPI unknown", "POST", "/backend/app1/api/dev", `{"resourceName":"zzz"}`, 404, "NotFoundException", "API", ""},
		{"DeleteBackendAPI unknown", "POST", "/backend/app1/api/dev/remove", `{"resourceName":"zzz"}`, 404, "NotFoundException", "API", ""},
		{"GenerateBackendAPIModels unknown", "POST", "/backend/app1/api/dev/generateModels", `{"resourceName":"zzz"}`, 404, "NotFoundException", "API", ""},
		{"GetBackendAPIModels unknown", "POST", "/backend/app1/api/dev/getModels", `{"resourceName":"zzz"}`, 404, "NotFoundException", "API", ""},
		{"CreateBackendStorage second", "POST", "/backend/app1/storage", `{"backendEnvironmentName":"dev","resourceName":"s2","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":[]}}}`, 400, "BadRequestException", "", "already has"},
		{"CreateBackendStorage bad bucket", "POST", "/backend/app1/storage", `{"backendEnvironmentName":"dev","resourceName":"s2","resourceConfig":{"bucketName":"Bad_Name","serviceName":"S3","permissions":{"authenticated":[]}}}`, 400, "BadRequestException", "", "not a valid S3 bucket name"},
		{"CreateBackendStorage bad service", "POST", "/backend/app1/storage", `{"backendEnvironmentName":"dev","resourceName":"s2","resourceConfig":{"serviceName":"GCS","permissions":{"authenticated":[]}}}`, 400, "BadRequestException", "", "'resourceConfig.serviceName'"},
		{"CreateBackendStorage bad permission", "POST", "/backend/app1/storage", `{"backendEnvironmentName":"dev","resourceName":"s2","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["WRITE"]}}}`, 400, "BadRequestException", "", "'resourceConfig.permissions.authenticated.member.1'"},
		{"GetBackendStorage unknown", "POST", "/backend/app1/storage/dev/details", `{"resourceName":"zzz"}`, 404, "NotFoundException", "Storage", ""},
		{"UpdateBackendStorage unknown", "POST", "/backend/app1/storage/dev", `{"resourceName":"zzz","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":[]}}}`, 404, "NotFoundException", "Storage", ""},
		{"DeleteBackendStorage bad service", "POST", "/backend/app1/storage/dev/remove", `{"resourceName":"files","serviceName":"EFS"}`, 400, "BadRequestException", "", "'serviceName'"},
		{"DeleteBackendStorage unknown", "POST", "/backend/app1/storage/dev/remove", `{"resourceName":"zzz","serviceName":"S3"}`, 404, "NotFoundException", "Storage", ""},
		{"ImportBackendStorage bad name", "POST", "/backend/app1/storage/dev/import", `{"bucketName":"a","serviceName":"S3"}`, 400, "BadRequestException", "", "not a valid S3 bucket name"},
		{"ImportBackendStorage no name", "POST", "/backend/app1/storage/dev/import", `{"serviceName":"S3"}`, 400, "BadRequestException", "", "'bucketName'"},
		{"CreateToken unknown app", "POST", "/backend/nope/challenge", "", 404, "NotFoundException", "App", ""},
		{"GetToken unknown", "GET", "/backend/app1/challenge/nope", "", 404, "NotFoundException", "Token", ""},
		{"DeleteToken unknown", "POST", "/backend/app1/challenge/nope/remove", "", 404, "NotFoundException", "Token", ""},
		{"CreateBackendConfig unknown app", "POST", "/backend/nope/config", `{}`, 404, "NotFoundException", "App", ""},
		{"UpdateBackendConfig unknown app", "POST", "/backend/nope/config/update", `{}`, 404, "NotFoundException", "App", ""},
		{"RemoveBackendConfig none", "POST", "/backend/app1/config/remove", "", 404, "NotFoundException", "BackendConfig", ""},
		{"GetBackendJob unknown", "GET", "/backend/app1/job/dev/nope", "", 404, "NotFoundException", "Job", ""},
		{"UpdateBackendJob unknown", "POST", "/backend/app1/job/dev/nope", `{"status":"FAILED"}`, 404, "NotFoundException", "Job", ""},
		{"ListBackendJobs unknown app", "POST", "/backend/nope/job/dev", `{}`, 404, "NotFoundException", "App", ""},
		{"ListBackendJobs maxResults", "POST", "/backend/app1/job/dev", `{"maxResults":26}`, 400, "BadRequestException", "", "Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 25"},
		{"ListBackendJobs maxResults type", "POST", "/backend/app1/job/dev", `{"maxResults":"5"}`, 400, "BadRequestException", "", "'maxResults'"},
		{"ListBackendJobs forged token", "POST", "/backend/app1/job/dev", `{"nextToken":"abc.def"}`, 400, "BadRequestException", "", "nextToken"},
		{"malformed JSON", "POST", "/backend/app1/details", `{"backendEnvironmentName":`, 400, "BadRequestException", "", "Could not parse request body"},
		{"empty path segment", "POST", "/backend//details", `{}`, 400, "BadRequestException", "", "'appId'"},
		{"unknown route", "POST", "/backend/app1/nothing", `{}`, 404, "UnknownOperationException", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.do(tt.method, tt.path, tt.body)
			if r.status != tt.status || r.errType() != tt.errType || r.str("__type") != tt.errType {
				t.Fatalf("got %d %q, want %d %q: %s", r.status, r.errType(), tt.status, tt.errType, r.raw)
			}
			if r.str("resourceType") != tt.resourceType {
				t.Errorf("resourceType = %q, want %q", r.str("resourceType"), tt.resourceType)
			}
			if !strings.Contains(r.str("message"), tt.msg) {
				t.Errorf("message %q lacks %q", r.str("message"), tt.msg)
			}
			if _, ok := r.body["code"]; ok {
				t.Error("error body has a code key")
			}
		})
	}
}
