package testenv

import "testing"

func TestStrict(t *testing.T) {
	for _, tt := range []struct {
		ci, dep string
		want    bool
	}{
		{"", "", false},
		{"true", "", true},
		{"1", "", true},
		{"false", "", false},
		{"0", "", false},
		{"", "postgres://x", true},
		{"false", "postgres://x", true},
	} {
		t.Setenv("CI", tt.ci)
		t.Setenv("TESTENV_DEP", tt.dep)
		if got := Strict("TESTENV_DEP"); got != tt.want {
			t.Errorf("CI=%q dep=%q: %v, want %v", tt.ci, tt.dep, got, tt.want)
		}
	}
}
