package amplifyhosting

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestValidate_ReportsEveryViolation(t *testing.T) {
	max := int32(101)
	for _, c := range []struct {
		name string
		in   interface{ Validate() error }
		want []string
	}{
		{"CreateApp without a name", &CreateAppRequest{}, []string{"name"}},
		{"a bad platform", &CreateAppRequest{Name: String("x"), Platform: "TOASTER"}, []string{"platform"}},
		{"ListApps over its page size", &ListAppsRequest{MaxResults: &max}, []string{"maxResults"}},
		{"CreateBackendEnvironment with nothing", &CreateBackendEnvironmentRequest{}, []string{"appId", "environmentName"}},
		{"a valid request", &CreateAppRequest{Name: String("x"), Platform: PlatformWeb}, nil},
	} {
		err := c.in.Validate()
		var ve *ValidationError
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if !errors.As(err, &ve) || len(ve.Violations) != len(c.want) {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		for i, v := range ve.Violations {
			if v.Path != c.want[i] {
				t.Errorf("%s: violation %d at %s, want %s", c.name, i, v.Path, c.want[i])
			}
		}
	}
}

func TestTimestamp_IsEpochSeconds(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 250e6, time.UTC)
	b, err := json.Marshal(BackendEnvironment{CreateTime: Time(at)})
	if err != nil || string(b) != `{"createTime":1796040000.25}` {
		t.Fatalf("%s %v", b, err)
	}
	var back BackendEnvironment
	if err := json.Unmarshal(b, &back); err != nil || !back.CreateTime.Equal(at) {
		t.Fatalf("%v %v", back.CreateTime, err)
	}
	if err := json.Unmarshal([]byte(`{"createTime":"yesterday"}`), &back); err == nil {
		t.Error("a string time decoded")
	}
}
