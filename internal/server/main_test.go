package server_test

import (
	"net"
	"strings"
	"testing"
)

// TestMain_ExitCodes: usage errors exit 2 with the usage or the reason, help
// and version exit 0, and a server that cannot start exits 1 saying why.
func TestMain_ExitCodes(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tt := range []struct {
		args []string
		code int
		out  string
	}{
		{nil, 2, "usage: amplifylite serve"},
		{[]string{"bogus"}, 2, "usage: amplifylite serve"},
		{[]string{"version"}, 0, "amplifylite "},
		{[]string{"serve", "-h"}, 0, ""}, // the flags go to the process's stderr
		{[]string{"serve", "--nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"serve", "--job-duration", "-1s"}, 2, "--job-duration and --job-retention must be ≥ 0"},
		{[]string{"serve", "extra"}, 2, "unexpected arguments"},
		{[]string{"serve", "--credentials", "AKID"}, 2, "--credentials"},
		{[]string{"serve", "--data-dir", ":memory:", "--listen", busy.Addr().String()}, 1, "address already in use"},
	} {
		code, out := run(t, nil, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) {
			t.Errorf("amplifylite %s: exit %d, want %d with %q; output:\n%s", strings.Join(tt.args, " "), code, tt.code, tt.out, out)
		}
	}
}
