package backend

import "testing"

func TestDeployedName(t *testing.T) {
	for _, c := range []struct {
		r    Resource
		want string
	}{
		{Resource{Kind: KindAuth, Name: "us-east-1_AbC123", Imported: true}, "useast1AbC123"},
		{Resource{Kind: KindAuth, Name: "é_-", Imported: true}, "importedauth"},
		{Resource{Kind: KindAuth, Name: "my_auth"}, "my_auth"}, // made by the Admin API: its own name
		{Resource{Kind: KindStorage, Name: "bucket-name", Imported: true}, "bucket-name"},
	} {
		if got := deployedName(&c.r); got != c.want {
			t.Errorf("deployedName(%+v) = %q, want %q", c.r, got, c.want)
		}
	}
}
