// Package testenv decides what a test does when something it needs from
// outside Go (a PostgreSQL server, Node.js and a pinned npm package) is
// missing: a plain `go test ./...` skips it with a message saying how to
// enable it; CI, and anyone who pointed the test at the dependency, gets a
// failure instead, so that nothing is silently left untested.
package testenv

import (
	"os"
	"testing"
)

// Strict reports whether missing dependencies fail tests: when CI is set
// (to anything but "false" or "0"), or when the variable that points at the
// dependency is set.
func Strict(variable string) bool {
	if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
		return true
	}
	return variable != "" && os.Getenv(variable) != ""
}

// Missing ends the test for a missing dependency: t.Fatalf when Strict,
// else t.Skipf. why says what is missing and how to provide it.
func Missing(t testing.TB, variable, why string, args ...any) {
	t.Helper()
	if Strict(variable) {
		t.Fatalf(why, args...)
	}
	t.Skipf(why+" (skipped; set CI=1 to make this a failure)", args...)
}
