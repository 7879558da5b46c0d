package amplifyhosting_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	ah "github.com/amplifylite/amplifylite/amplifyhosting"
)

// TestServiceModel_NoDrift compares the Go model with every copy of
// botocore's Amplify service model found here (python3's and Debian's
// /usr/bin/python3's): each operation's method and path, and every member of
// every structure the operations reach, with its wire name and location. The
// Go model is generated from the newest; an older copy may lack members.
func TestServiceModel_NoDrift(t *testing.T) {
	var found int
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		out, err := exec.Command(py, "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
		if err != nil {
			continue
		}
		// pip's botocore compresses its models, Debian's does not.
		path := filepath.Join(strings.TrimSpace(string(out)), "data", "amplify", "2017-07-25", "service-2.json")
		if _, err := os.Stat(path); err != nil {
			path += ".gz"
		}
		m, err := loadModel(path)
		if err != nil {
			t.Logf("%s: %v", path, err)
			continue
		}
		found++
		t.Run(py, func(t *testing.T) { checkModel(t, m) })
	}
	if found == 0 {
		t.Fatal("no botocore Amplify service model found (tried python3 and /usr/bin/python3); run scripts/deps.sh")
	}
}

type model struct {
	Operations map[string]struct {
		HTTP   struct{ Method, RequestURI string }
		Input  struct{ Shape string }
		Output struct{ Shape string }
	}
	Shapes map[string]struct {
		Type    string
		Members map[string]struct{ Shape, Location, LocationName string }
		Member  *struct{ Shape string }
		Enum    []string
	}
}

func loadModel(path string) (*model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		if r, err = gzip.NewReader(f); err != nil {
			return nil, err
		}
	}
	var m model
	return &m, json.NewDecoder(r).Decode(&m)
}

func checkModel(t *testing.T, m *model) {
	roots := map[string]reflect.Type{}
	for _, op := range ah.Operations {
		mo, ok := m.Operations[op.Name]
		if !ok {
			t.Errorf("%s: not in the model", op.Name)
			continue
		}
		if mo.HTTP.Method != op.Method || mo.HTTP.RequestURI != op.Path || mo.Input.Shape != op.Input || mo.Output.Shape != op.Output {
			t.Errorf("%s: Go %+v, model %+v", op.Name, op, mo)
		}
	}
	for _, x := range []any{ah.CreateAppRequest{}, ah.CreateAppResult{}, ah.GetAppRequest{}, ah.GetAppResult{}, ah.ListAppsRequest{},
		ah.ListAppsResult{}, ah.DeleteAppRequest{}, ah.DeleteAppResult{}, ah.CreateBackendEnvironmentRequest{},
		ah.CreateBackendEnvironmentResult{}, ah.GetBackendEnvironmentRequest{}, ah.GetBackendEnvironmentResult{},
		ah.ListBackendEnvironmentsRequest{}, ah.ListBackendEnvironmentsResult{}, ah.DeleteBackendEnvironmentRequest{},
		ah.DeleteBackendEnvironmentResult{}} {
		roots[reflect.TypeOf(x).Name()] = reflect.TypeOf(x)
	}
	seen := map[string]bool{}
	var walk func(shape string, goType reflect.Type)
	walk = func(shape string, goType reflect.Type) {
		if seen[shape] {
			return
		}
		seen[shape] = true
		s := m.Shapes[shape]
		switch s.Type {
		case "structure":
			fields := map[string]reflect.StructField{}
			for i := range goType.NumField() {
				f := goType.Field(i)
				name := strings.Split(f.Tag.Get("json"), ",")[0]
				for _, tag := range []string{"uri", "query"} {
					if v := f.Tag.Get(tag); v != "" {
						name = tag + ":" + v
					}
				}
				fields[name] = f
			}
			for mn, mb := range s.Members {
				key := mn
				if mb.LocationName != "" {
					key = mb.LocationName
				}
				switch mb.Location {
				case "uri":
					key = "uri:" + key
				case "querystring":
					key = "query:" + key
				}
				f, ok := fields[key]
				if !ok {
					t.Errorf("%s.%s (%s): no Go field", shape, mn, key)
					continue
				}
				ft := f.Type
				for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
					ft = ft.Elem()
				}
				walk(mb.Shape, ft)
			}
		case "list":
			walk(s.Member.Shape, goType)
		case "string":
			if len(s.Enum) > 0 {
				values := reflect.New(goType).Elem().MethodByName("Values")
				if !values.IsValid() {
					t.Errorf("%s: Go type %v has no Values", shape, goType)
					return
				}
				got := values.Call(nil)[0]
				var names []string
				for i := range got.Len() {
					names = append(names, got.Index(i).String())
				}
				for _, v := range s.Enum {
					if !slices.Contains(names, v) {
						t.Errorf("%s: value %s missing from %v", shape, v, names)
					}
				}
			}
		}
	}
	for _, op := range ah.Operations {
		walk(op.Input, roots[op.Input])
		walk(op.Output, roots[op.Output])
	}
	if len(seen) < 30 {
		t.Errorf("only %d shapes reached", len(seen))
	}
}
