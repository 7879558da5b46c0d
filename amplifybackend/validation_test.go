package amplifybackend

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestValidate_ReportsEveryViolation(t *testing.T) {
	tests := []struct {
		name string
		in   interface{ Validate() error }
		body string
		want []string // every path that must be reported, in order
	}{
		{"ok", &GetBackendRequest{AppId: String("a")}, `{}`, nil},
		{"missing top-level", &CreateBackendRequest{}, `{}`, []string{"appId", "appName", "backendEnvironmentName"}},
		{"nested missing and bad enum", &CreateBackendAuthRequest{AppId: String("a")},
			`{"backendEnvironmentName":"dev","resourceName":"r","resourceConfig":{"authResources":"NOPE","service":"COGNITO",
			  "userPoolConfigs":{"userPoolName":"p","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL","BOGUS"],"mfa":{}}}}`,
			[]string{"resourceConfig.authResources", "resourceConfig.userPoolConfigs.mfa.MFAMode", "resourceConfig.userPoolConfigs.requiredSignUpAttributes.member.2"}},
		{"maxResults over 25", &ListBackendJobsRequest{AppId: String("a"), BackendEnvironmentName: String("e")}, `{"maxResults":26}`, []string{"maxResults"}},
		{"maxResults zero allowed", &ListBackendJobsRequest{AppId: String("a"), BackendEnvironmentName: String("e")}, `{"maxResults":0}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := json.Unmarshal([]byte(tt.body), tt.in); err != nil {
				t.Fatal(err)
			}
			err := tt.in.Validate()
			var ve *ValidationError
			if tt.want == nil {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want *ValidationError", err)
			}
			var got []string
			for _, v := range ve.Violations {
				got = append(got, v.Path)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("paths = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidationError_Message(t *testing.T) {
	req := &CreateBackendAuthUserPoolConfig{SignInMethod: "X", UserPoolName: String("p"), RequiredSignUpAttributes: []RequiredSignUpAttributesElement{}}
	var v validator
	req.validate(&v, "resourceConfig.userPoolConfigs")
	got := v.err().Error()
	want := "1 validation error detected: Value at 'resourceConfig.userPoolConfigs.signInMethod' failed to satisfy constraint: Member must satisfy enum value set: [EMAIL, EMAIL_AND_PHONE_NUMBER, PHONE_NUMBER, USERNAME]"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestMarshal_OmitsAbsentKeepsEmptyLists(t *testing.T) {
	out := &GetBackendStorageResourceConfig{Imported: Bool(false), ServiceName: ServiceNameS3,
		Permissions: &BackendStoragePermissions{Authenticated: []AuthenticatedElement{}}}
	b, _ := json.Marshal(out)
	want := `{"imported":false,"permissions":{"authenticated":[]},"serviceName":"S3"}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}
