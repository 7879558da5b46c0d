package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/backend"
)

func testApps(t *testing.T, h Harness) {
	t.Run("Missing", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		f.view(func(tx backend.Tx) error {
			got, err := tx.App(p1, "nope")
			check(t, err)
			if got != nil {
				t.Errorf("App(missing) = %+v, want nil", got)
			}
			return nil
		})
	})
	t.Run("PutGetDelete", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		want := &backend.App{ID: "app1", Name: "one", Created: at(1), Config: &backend.AppConfig{
			BackendManagerAppID: "app1", LoginAuthConfig: json.RawMessage(`{"aws_user_pools_id": "x", "n": [1, 2]}`),
		}}
		f.update(func(tx backend.Tx) error { return tx.PutApp(p1, want) })
		f.view(func(tx backend.Tx) error {
			got, err := tx.App(p1, "app1")
			check(t, err)
			same(t, "App", got, want)
			return nil
		})

		want = &backend.App{ID: "app1", Name: "renamed", Created: at(1)}
		f.update(func(tx backend.Tx) error { return tx.PutApp(p1, want) })
		f.view(func(tx backend.Tx) error {
			got, err := tx.App(p1, "app1")
			check(t, err)
			same(t, "App after overwrite", got, want)
			return nil
		})

		f.update(func(tx backend.Tx) error {
			check(t, tx.DeleteApp(p1, "app1"))
			return tx.DeleteApp(p1, "never-existed")
		})
		f.view(func(tx backend.Tx) error {
			got, err := tx.App(p1, "app1")
			check(t, err)
			if got != nil {
				t.Errorf("App after delete = %+v, want nil", got)
			}
			return nil
		})
	})
	t.Run("TimesInUTC", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		zone := time.FixedZone("UTC+2", 2*3600)
		created := at(1234).In(zone)
		f.update(func(tx backend.Tx) error { return tx.PutApp(p1, &backend.App{ID: "a", Created: created}) })
		f.view(func(tx backend.Tx) error {
			got, err := tx.App(p1, "a")
			check(t, err)
			if !got.Created.Equal(created) || got.Created.Location() != time.UTC {
				t.Errorf("Created = %v, want %v in UTC", got.Created, created.UTC())
			}
			return nil
		})
	})
}

func testEnvs(t *testing.T, h Harness) {
	t.Run("OldestFirst", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		want := []backend.Env{
			{AppID: "a", Name: "zeta", Created: at(1)},
			{AppID: "a", Name: "alpha", Created: at(2)},
			{AppID: "a", Name: "mid", Created: at(3)},
		}
		f.update(func(tx backend.Tx) error {
			for _, i := range []int{2, 0, 1} {
				check(t, tx.PutEnv(p1, &want[i]))
			}
			return tx.PutEnv(p1, &backend.Env{AppID: "other", Name: "x", Created: at(0)})
		})
		f.view(func(tx backend.Tx) error {
			got, err := tx.Envs(p1, "a")
			check(t, err)
			same(t, "Envs", got, want)
			got, err = tx.Envs(p1, "missing")
			check(t, err)
			if len(got) != 0 {
				t.Errorf("Envs(missing app) = %+v, want none", got)
			}
			one, err := tx.Env(p1, "a", "alpha")
			check(t, err)
			if one == nil {
				t.Fatal("Env(a, alpha) = nil")
			}
			same(t, "Env", *one, want[1])
			for _, k := range [][2]string{{"a", "nope"}, {"missing", "alpha"}} {
				if e, err := tx.Env(p1, k[0], k[1]); err != nil || e != nil {
					t.Errorf("Env(%s, %s) = %+v, %v; want nil, nil", k[0], k[1], e, err)
				}
			}
			if e, err := tx.Env(p2, "a", "alpha"); err != nil || e != nil {
				t.Errorf("Env in another partition = %+v, %v", e, err)
			}
			return nil
		})
	})
	// EnvExists tells a missing app from a missing environment, per
	// partition; MarkPushed changes only Pushed, of an environment that
	// exists, and reads back like PutEnv's.
	t.Run("ExistsAndMarkPushed", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		env := backend.Env{AppID: "a", Name: "dev", Created: at(1), StackName: "s", DeploymentBucket: "b"}
		pushed := at(5).Add(123 * time.Nanosecond).In(time.FixedZone("UTC+2", 2*3600))
		f.update(func(tx backend.Tx) error {
			check(t, tx.PutApp(p1, &backend.App{ID: "a", Name: "a", Created: at(1)}))
			check(t, tx.PutApp(p1, &backend.App{ID: "bare", Name: "bare", Created: at(1)}))
			check(t, tx.PutEnv(p1, &env))
			check(t, tx.MarkPushed(p1, "a", "dev", at(4)))
			check(t, tx.MarkPushed(p1, "a", "dev", pushed)) // again: replaces
			check(t, tx.MarkPushed(p1, "a", "nope", pushed))
			return tx.MarkPushed(p2, "a", "dev", pushed)
		})
		f.view(func(tx backend.Tx) error {
			for _, c := range []struct {
				p         backend.Partition
				app, env  string
				wantApp   bool
				wantFound bool
			}{
				{p1, "a", "dev", true, true},
				{p1, "a", "nope", true, false},
				{p1, "bare", "dev", true, false},
				{p1, "missing", "dev", false, false},
				{p2, "a", "dev", false, false},
			} {
				app, found, err := tx.EnvExists(c.p, c.app, c.env)
				check(t, err)
				if app != c.wantApp || found != c.wantFound {
					t.Errorf("EnvExists(%v, %s, %s) = %v, %v; want %v, %v", c.p, c.app, c.env, app, found, c.wantApp, c.wantFound)
				}
			}
			got, err := tx.Env(p1, "a", "dev")
			check(t, err)
			want := env
			want.Pushed = pushed.UTC()
			if got == nil || !got.Pushed.Equal(pushed) || got.Pushed.Location() != time.UTC {
				t.Errorf("Pushed after MarkPushed = %+v, want %v in UTC", got, pushed.UTC())
			} else {
				same(t, "Env after MarkPushed", *got, want)
			}
			for _, k := range []struct {
				p        backend.Partition
				app, env string
			}{{p1, "a", "nope"}, {p2, "a", "dev"}} {
				if e, err := tx.Env(k.p, k.app, k.env); err != nil || e != nil {
					t.Errorf("MarkPushed created %+v (%v)", e, err)
				}
			}
			if err := tx.MarkPushed(p1, "a", "dev", at(9)); err == nil {
				t.Error("MarkPushed in a read-only transaction succeeded")
			}
			return nil
		})
	})
	t.Run("DeleteRemovesResources", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		keep := backend.Resource{AppID: "a", Env: "keep", Kind: backend.KindAuth, Name: "auth1", Config: json.RawMessage(`{}`), Created: at(1)}
		f.update(func(tx backend.Tx) error {
			check(t, tx.PutEnv(p1, &backend.Env{AppID: "a", Name: "gone", Created: at(1)}))
			check(t, tx.PutEnv(p1, &backend.Env{AppID: "a", Name: "keep", Created: at(2)}))
			check(t, tx.PutEnv(p2, &backend.Env{AppID: "a", Name: "gone", Created: at(1)}))
			for _, p := range []backend.Partition{p1, p2} {
				for _, k := range []backend.ResourceKind{backend.KindAuth, backend.KindAPI, backend.KindStorage} {
					check(t, tx.PutResource(p, &backend.Resource{AppID: "a", Env: "gone", Kind: k, Name: "r", Config: json.RawMessage(`{}`), Created: at(1)}))
				}
			}
			return tx.PutResource(p1, &keep)
		})
		f.update(func(tx backend.Tx) error { return tx.DeleteEnv(p1, "a", "gone") })
		f.view(func(tx backend.Tx) error {
			envs, err := tx.Envs(p1, "a")
			check(t, err)
			same(t, "Envs after delete", envs, []backend.Env{{AppID: "a", Name: "keep", Created: at(2)}})
			rs, err := tx.Resources(p1, "a", "gone")
			check(t, err)
			if len(rs) != 0 {
				t.Errorf("Resources of deleted env = %+v, want none", rs)
			}
			rs, err = tx.Resources(p1, "a", "keep")
			check(t, err)
			same(t, "Resources of other env", rs, []backend.Resource{keep})
			rs, err = tx.Resources(p2, "a", "gone")
			check(t, err)
			if len(rs) != 3 {
				t.Errorf("other partition has %d resources, want 3", len(rs))
			}
			return nil
		})
	})
}

func testResources(t *testing.T, h Harness) {
	t.Run("ByKindThenName", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		res := func(k backend.ResourceKind, name string, ms int) backend.Resource {
			return backend.Resource{AppID: "a", Env: "dev", Kind: k, Name: name, Config: json.RawMessage(`{"name":"` + name + `"}`), Created: at(ms)}
		}
		want := []backend.Resource{
			res(backend.KindAPI, "api1", 5), res(backend.KindAPI, "api2", 1),
			res(backend.KindAuth, "auth1", 3),
			res(backend.KindStorage, "a", 4), res(backend.KindStorage, "b", 2),
		}
		want[0].Models, want[0].Introspection, want[0].ModelsSchemaHash = "models", `{"data":{}}`, "h1"
		want[2].Imported = true
		f.update(func(tx backend.Tx) error {
			for _, i := range []int{4, 2, 0, 3, 1} {
				check(t, tx.PutResource(p1, &want[i]))
			}
			return tx.PutResource(p1, &backend.Resource{AppID: "a", Env: "prod", Kind: backend.KindAPI, Name: "x", Config: json.RawMessage(`{}`)})
		})
		f.view(func(tx backend.Tx) error {
			got, err := tx.Resources(p1, "a", "dev")
			check(t, err)
			same(t, "Resources", got, want)
			for _, c := range []struct {
				kind backend.ResourceKind
				name string
				want *backend.Resource
			}{
				{backend.KindAPI, "api2", &want[1]},
				{backend.KindAuth, "auth1", &want[2]},
				{backend.KindStorage, "", &want[3]}, // first of the kind by name
				{backend.KindAPI, "", &want[0]},
				{backend.KindAuth, "api1", nil}, // a name of another kind
				{backend.KindStorage, "zzz", nil},
			} {
				r, err := tx.Resource(p1, "a", "dev", c.kind, c.name)
				check(t, err)
				switch {
				case c.want == nil && r != nil:
					t.Errorf("Resource(%s, %q) = %+v, want nil", c.kind, c.name, r)
				case c.want != nil && r == nil:
					t.Errorf("Resource(%s, %q) = nil", c.kind, c.name)
				case c.want != nil:
					same(t, "Resource", *r, *c.want)
				}
			}
			if r, err := tx.Resource(p1, "a", "prod", backend.KindAuth, ""); err != nil || r != nil {
				t.Errorf("Resource(prod auth) = %+v, %v; want nil", r, err)
			}
			if r, err := tx.Resource(p2, "a", "dev", backend.KindAPI, "api1"); err != nil || r != nil {
				t.Errorf("Resource in another partition = %+v, %v", r, err)
			}
			return nil
		})
	})
	t.Run("OverwriteAndDelete", func(t *testing.T) {
		t.Parallel()
		f := open(t, h)
		r := backend.Resource{AppID: "a", Env: "dev", Kind: backend.KindAPI, Name: "api", Config: json.RawMessage(`{"v":1}`), Created: at(1)}
		f.update(func(tx backend.Tx) error { return tx.PutResource(p1, &r) })
		r.Config, r.Models = json.RawMessage(`{"v":2}`), "generated"
		f.update(func(tx backend.Tx) error { return tx.PutResource(p1, &r) })
		f.view(func(tx backend.Tx) error {
			got, err := tx.Resources(p1, "a", "dev")
			check(t, err)
			same(t, "Resources after overwrite", got, []backend.Resource{r})
			return nil
		})
		f.update(func(tx backend.Tx) error {
			check(t, tx.DeleteResource(p1, "a", "dev", backend.KindAuth, "api")) // other kind: no-op
			check(t, tx.DeleteResource(p1, "a", "dev", backend.KindAPI, "missing"))
			return nil
		})
		f.view(func(tx backend.Tx) error {
			got, err := tx.Resources(p1, "a", "dev")
			check(t, err)
			if len(got) != 1 {
				t.Errorf("deleting other records removed the resource: %+v", got)
			}
			return nil
		})
		f.update(func(tx backend.Tx) error { return tx.DeleteResource(p1, "a", "dev", backend.KindAPI, "api") })
		f.view(func(tx backend.Tx) error {
			got, err := tx.Resources(p1, "a", "dev")
			check(t, err)
			if len(got) != 0 {
				t.Errorf("Resources after delete = %+v, want none", got)
			}
			return nil
		})
	})
}

func testTokens(t *testing.T, h Harness) {
	f := open(t, h)
	want := &backend.Token{AppID: "a", SessionID: "s1", Code: "123456", Expires: at(600000)}
	f.update(func(tx backend.Tx) error {
		check(t, tx.PutToken(p1, want))
		return tx.PutToken(p1, &backend.Token{AppID: "a", SessionID: "s2", Code: "1", Expires: at(1)})
	})
	f.view(func(tx backend.Tx) error {
		got, err := tx.Token(p1, "a", "s1")
		check(t, err)
		same(t, "Token", got, want)
		for _, k := range [][2]string{{"a", "nope"}, {"b", "s1"}} {
			got, err := tx.Token(p1, k[0], k[1])
			check(t, err)
			if got != nil {
				t.Errorf("Token(%s, %s) = %+v, want nil", k[0], k[1], got)
			}
		}
		return nil
	})
	f.update(func(tx backend.Tx) error { return tx.DeleteToken(p1, "a", "s1") })
	f.view(func(tx backend.Tx) error {
		got, err := tx.Token(p1, "a", "s1")
		check(t, err)
		if got != nil {
			t.Errorf("Token after delete = %+v, want nil", got)
		}
		got, err = tx.Token(p1, "a", "s2")
		check(t, err)
		if got == nil {
			t.Error("DeleteToken removed another session's token")
		}
		return nil
	})

	// AddToken writes only under an app that exists, in its partition.
	added := &backend.Token{AppID: "a", SessionID: "s3", Code: "333333", Expires: at(7)}
	f.update(func(tx backend.Tx) error {
		check(t, tx.PutApp(p1, &backend.App{ID: "a", Name: "a", Created: at(1)}))
		for _, c := range []struct {
			p    backend.Partition
			tok  *backend.Token
			want bool
		}{
			{p1, added, true},
			{p1, &backend.Token{AppID: "nope", SessionID: "s4", Code: "1", Expires: at(1)}, false},
			{p2, &backend.Token{AppID: "a", SessionID: "s5", Code: "1", Expires: at(1)}, false},
			{p1, &backend.Token{AppID: "a", SessionID: "s2", Code: "222222", Expires: at(8)}, true}, // replaces
		} {
			ok, err := tx.AddToken(c.p, c.tok)
			check(t, err)
			if ok != c.want {
				t.Errorf("AddToken(%v, %s/%s) = %v, want %v", c.p, c.tok.AppID, c.tok.SessionID, ok, c.want)
			}
		}
		return nil
	})
	f.view(func(tx backend.Tx) error {
		got, err := tx.Token(p1, "a", "s3")
		check(t, err)
		same(t, "added Token", got, added)
		got, err = tx.Token(p1, "a", "s2")
		check(t, err)
		if got == nil || got.Code != "222222" {
			t.Errorf("Token replaced by AddToken = %+v", got)
		}
		for _, k := range []struct {
			p         backend.Partition
			app, sess string
		}{{p1, "nope", "s4"}, {p2, "a", "s5"}} {
			if got, err := tx.Token(k.p, k.app, k.sess); err != nil || got != nil {
				t.Errorf("AddToken without its app stored %+v (%v)", got, err)
			}
		}
		if _, err := tx.AddToken(p1, added); err == nil {
			t.Error("AddToken in a read-only transaction succeeded")
		}
		return nil
	})
}
