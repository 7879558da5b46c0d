package amplifybackend_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
	"github.com/amplifylite/amplifylite/internal/httpapi"
)

// TestServiceModel_NoDrift compares the Go model (types, tags, enums,
// validators, operation list) and the HTTP route table with every copy of
// botocore's AmplifyBackend service model found on this machine. It fails when
// none is found: scripts/deps.sh installs Debian's python3-botocore.
//
// The Go model is generated from the newest model, so it may have members an
// older copy lacks (logged), never the other way round.
func TestServiceModel_NoDrift(t *testing.T) {
	models := findModels(t)
	if len(models) == 0 {
		t.Fatal("no botocore AmplifyBackend service model found (tried $AMPLIFYLITE_BOTOCORE_MODEL, python3 and /usr/bin/python3); run scripts/deps.sh")
	}
	for _, mf := range models {
		t.Run("botocore-"+mf.version, func(t *testing.T) {
			m := loadModel(t, mf.path)
			c := &driftCheck{t: t, m: m}
			c.operations()
			c.routes()
			c.shapes()
			t.Logf("%s: compared %d operations, %d structures, %d enums", mf.path, c.nOps, c.nStructs, c.nEnums)
			if len(c.newerOnly) > 0 {
				t.Logf("members the Go model has and this (older) model lacks: %s", strings.Join(c.newerOnly, ", "))
			}
		})
	}
}

// goTypes is every type of the generated model, by name. Reflection cannot
// look types up by name, so they are listed here; TestServiceModel_Registry
// keeps the list complete.
var goTypes = func() map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for _, t := range []reflect.Type{
		reflect.TypeFor[ab.AdditionalConstraintsElement](),
		reflect.TypeFor[ab.AuthResources](),
		reflect.TypeFor[ab.AuthenticatedElement](),
		reflect.TypeFor[ab.BackendAPIAppSyncAuthSettings](),
		reflect.TypeFor[ab.BackendAPIAuthType](),
		reflect.TypeFor[ab.BackendAPICodegenReqObj](),
		reflect.TypeFor[ab.BackendAPICodegenRespObj](),
		reflect.TypeFor[ab.BackendAPIConflictResolution](),
		reflect.TypeFor[ab.BackendAPIReqObj](),
		reflect.TypeFor[ab.BackendAPIResourceConfig](),
		reflect.TypeFor[ab.BackendAPIRespObj](),
		reflect.TypeFor[ab.BackendAuthAppleProviderConfig](),
		reflect.TypeFor[ab.BackendAuthRespObj](),
		reflect.TypeFor[ab.BackendAuthSocialProviderConfig](),
		reflect.TypeFor[ab.BackendConfigRespObj](),
		reflect.TypeFor[ab.BackendJobReqObj](),
		reflect.TypeFor[ab.BackendJobRespObj](),
		reflect.TypeFor[ab.BackendStoragePermissions](),
		reflect.TypeFor[ab.BackendStorageRespObj](),
		reflect.TypeFor[ab.BadRequestException](),
		reflect.TypeFor[ab.CloneBackendReqObj](),
		reflect.TypeFor[ab.CloneBackendRequest](),
		reflect.TypeFor[ab.CloneBackendRespObj](),
		reflect.TypeFor[ab.CloneBackendResponse](),
		reflect.TypeFor[ab.CreateBackendAPIReqObj](),
		reflect.TypeFor[ab.CreateBackendAPIRequest](),
		reflect.TypeFor[ab.CreateBackendAPIResponse](),
		reflect.TypeFor[ab.CreateBackendAuthForgotPasswordConfig](),
		reflect.TypeFor[ab.CreateBackendAuthIdentityPoolConfig](),
		reflect.TypeFor[ab.CreateBackendAuthMFAConfig](),
		reflect.TypeFor[ab.CreateBackendAuthOAuthConfig](),
		reflect.TypeFor[ab.CreateBackendAuthPasswordPolicyConfig](),
		reflect.TypeFor[ab.CreateBackendAuthReqObj](),
		reflect.TypeFor[ab.CreateBackendAuthRequest](),
		reflect.TypeFor[ab.CreateBackendAuthResourceConfig](),
		reflect.TypeFor[ab.CreateBackendAuthResponse](),
		reflect.TypeFor[ab.CreateBackendAuthUserPoolConfig](),
		reflect.TypeFor[ab.CreateBackendAuthVerificationMessageConfig](),
		reflect.TypeFor[ab.CreateBackendConfigReqObj](),
		reflect.TypeFor[ab.CreateBackendConfigRequest](),
		reflect.TypeFor[ab.CreateBackendConfigRespObj](),
		reflect.TypeFor[ab.CreateBackendConfigResponse](),
		reflect.TypeFor[ab.CreateBackendReqObj](),
		reflect.TypeFor[ab.CreateBackendRequest](),
		reflect.TypeFor[ab.CreateBackendRespObj](),
		reflect.TypeFor[ab.CreateBackendResponse](),
		reflect.TypeFor[ab.CreateBackendStorageReqObj](),
		reflect.TypeFor[ab.CreateBackendStorageRequest](),
		reflect.TypeFor[ab.CreateBackendStorageResourceConfig](),
		reflect.TypeFor[ab.CreateBackendStorageResponse](),
		reflect.TypeFor[ab.CreateTokenRequest](),
		reflect.TypeFor[ab.CreateTokenRespObj](),
		reflect.TypeFor[ab.CreateTokenResponse](),
		reflect.TypeFor[ab.DeleteBackendAPIRequest](),
		reflect.TypeFor[ab.DeleteBackendAPIResponse](),
		reflect.TypeFor[ab.DeleteBackendAuthRequest](),
		reflect.TypeFor[ab.DeleteBackendAuthResponse](),
		reflect.TypeFor[ab.DeleteBackendRequest](),
		reflect.TypeFor[ab.DeleteBackendRespObj](),
		reflect.TypeFor[ab.DeleteBackendResponse](),
		reflect.TypeFor[ab.DeleteBackendStorageRequest](),
		reflect.TypeFor[ab.DeleteBackendStorageResponse](),
		reflect.TypeFor[ab.DeleteTokenRequest](),
		reflect.TypeFor[ab.DeleteTokenRespObj](),
		reflect.TypeFor[ab.DeleteTokenResponse](),
		reflect.TypeFor[ab.DeliveryMethod](),
		reflect.TypeFor[ab.EmailSettings](),
		reflect.TypeFor[ab.GatewayTimeoutException](),
		reflect.TypeFor[ab.GenerateBackendAPIModelsRequest](),
		reflect.TypeFor[ab.GenerateBackendAPIModelsResponse](),
		reflect.TypeFor[ab.GetBackendAPIModelsRequest](),
		reflect.TypeFor[ab.GetBackendAPIModelsResponse](),
		reflect.TypeFor[ab.GetBackendAPIRequest](),
		reflect.TypeFor[ab.GetBackendAPIRespObj](),
		reflect.TypeFor[ab.GetBackendAPIResponse](),
		reflect.TypeFor[ab.GetBackendAuthReqObj](),
		reflect.TypeFor[ab.GetBackendAuthRequest](),
		reflect.TypeFor[ab.GetBackendAuthRespObj](),
		reflect.TypeFor[ab.GetBackendAuthResponse](),
		reflect.TypeFor[ab.GetBackendJobRequest](),
		reflect.TypeFor[ab.GetBackendJobResponse](),
		reflect.TypeFor[ab.GetBackendReqObj](),
		reflect.TypeFor[ab.GetBackendRequest](),
		reflect.TypeFor[ab.GetBackendRespObj](),
		reflect.TypeFor[ab.GetBackendResponse](),
		reflect.TypeFor[ab.GetBackendStorageReqObj](),
		reflect.TypeFor[ab.GetBackendStorageRequest](),
		reflect.TypeFor[ab.GetBackendStorageResourceConfig](),
		reflect.TypeFor[ab.GetBackendStorageRespObj](),
		reflect.TypeFor[ab.GetBackendStorageResponse](),
		reflect.TypeFor[ab.GetTokenRequest](),
		reflect.TypeFor[ab.GetTokenRespObj](),
		reflect.TypeFor[ab.GetTokenResponse](),
		reflect.TypeFor[ab.ImportBackendAuthReqObj](),
		reflect.TypeFor[ab.ImportBackendAuthRequest](),
		reflect.TypeFor[ab.ImportBackendAuthResponse](),
		reflect.TypeFor[ab.ImportBackendStorageReqObj](),
		reflect.TypeFor[ab.ImportBackendStorageRequest](),
		reflect.TypeFor[ab.ImportBackendStorageResponse](),
		reflect.TypeFor[ab.InternalServiceException](),
		reflect.TypeFor[ab.LimitExceededException](),
		reflect.TypeFor[ab.ListBackendJobReqObj](),
		reflect.TypeFor[ab.ListBackendJobRespObj](),
		reflect.TypeFor[ab.ListBackendJobsRequest](),
		reflect.TypeFor[ab.ListBackendJobsResponse](),
		reflect.TypeFor[ab.ListS3BucketsReqObj](),
		reflect.TypeFor[ab.ListS3BucketsRequest](),
		reflect.TypeFor[ab.ListS3BucketsRespObj](),
		reflect.TypeFor[ab.ListS3BucketsResponse](),
		reflect.TypeFor[ab.LoginAuthConfigReqObj](),
		reflect.TypeFor[ab.MFAMode](),
		reflect.TypeFor[ab.MfaTypesElement](),
		reflect.TypeFor[ab.Mode](),
		reflect.TypeFor[ab.NotFoundException](),
		reflect.TypeFor[ab.OAuthGrantType](),
		reflect.TypeFor[ab.OAuthScopesElement](),
		reflect.TypeFor[ab.RemoveAllBackendsReqObj](),
		reflect.TypeFor[ab.RemoveAllBackendsRequest](),
		reflect.TypeFor[ab.RemoveAllBackendsRespObj](),
		reflect.TypeFor[ab.RemoveAllBackendsResponse](),
		reflect.TypeFor[ab.RemoveBackendAuthReqObj](),
		reflect.TypeFor[ab.RemoveBackendConfigRequest](),
		reflect.TypeFor[ab.RemoveBackendConfigRespObj](),
		reflect.TypeFor[ab.RemoveBackendConfigResponse](),
		reflect.TypeFor[ab.RemoveBackendStorageReqObj](),
		reflect.TypeFor[ab.RequiredSignUpAttributesElement](),
		reflect.TypeFor[ab.ResolutionStrategy](),
		reflect.TypeFor[ab.ResourceConfig](),
		reflect.TypeFor[ab.S3BucketInfo](),
		reflect.TypeFor[ab.Service](),
		reflect.TypeFor[ab.ServiceName](),
		reflect.TypeFor[ab.Settings](),
		reflect.TypeFor[ab.SignInMethod](),
		reflect.TypeFor[ab.SmsSettings](),
		reflect.TypeFor[ab.SocialProviderSettings](),
		reflect.TypeFor[ab.Status](),
		reflect.TypeFor[ab.TooManyRequestsException](),
		reflect.TypeFor[ab.UnAuthenticatedElement](),
		reflect.TypeFor[ab.UpdateBackendAPIRequest](),
		reflect.TypeFor[ab.UpdateBackendAPIResponse](),
		reflect.TypeFor[ab.UpdateBackendAuthForgotPasswordConfig](),
		reflect.TypeFor[ab.UpdateBackendAuthIdentityPoolConfig](),
		reflect.TypeFor[ab.UpdateBackendAuthMFAConfig](),
		reflect.TypeFor[ab.UpdateBackendAuthOAuthConfig](),
		reflect.TypeFor[ab.UpdateBackendAuthPasswordPolicyConfig](),
		reflect.TypeFor[ab.UpdateBackendAuthReqObj](),
		reflect.TypeFor[ab.UpdateBackendAuthRequest](),
		reflect.TypeFor[ab.UpdateBackendAuthResourceConfig](),
		reflect.TypeFor[ab.UpdateBackendAuthResponse](),
		reflect.TypeFor[ab.UpdateBackendAuthUserPoolConfig](),
		reflect.TypeFor[ab.UpdateBackendAuthVerificationMessageConfig](),
		reflect.TypeFor[ab.UpdateBackendConfigReqObj](),
		reflect.TypeFor[ab.UpdateBackendConfigRequest](),
		reflect.TypeFor[ab.UpdateBackendConfigResponse](),
		reflect.TypeFor[ab.UpdateBackendJobRequest](),
		reflect.TypeFor[ab.UpdateBackendJobResponse](),
		reflect.TypeFor[ab.UpdateBackendStorageReqObj](),
		reflect.TypeFor[ab.UpdateBackendStorageRequest](),
		reflect.TypeFor[ab.UpdateBackendStorageResourceConfig](),
		reflect.TypeFor[ab.UpdateBackendStorageResponse](),
	} {
		m[t.Name()] = t
	}
	return m
}()

// removedUpstream are shapes an older botocore still has that newer ones
// dropped, so the Go model (generated from the newer one) lacks them. Each is
// a documentation-only shape that no operation refers to.
var removedUpstream = map[string]bool{
	"GetBackendAPICodegenRespObj": true, // botocore ≤ 1.29; replaced by GetBackendAPIModelsResponse's members
}

// TestServiceModel_Registry checks that goTypes lists exactly the types
// declared in the generated files, so that a regenerated model cannot add a
// type the drift test does not see.
func TestServiceModel_Registry(t *testing.T) {
	files, err := filepath.Glob("*_gen.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no generated files: %v", err)
	}
	declared := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				declared[s.(*ast.TypeSpec).Name.Name] = true
			}
		}
	}
	for name := range declared {
		if goTypes[name] == nil {
			t.Errorf("type %s is generated but missing from goTypes in drift_test.go", name)
		}
	}
	for name := range goTypes {
		if !declared[name] {
			t.Errorf("goTypes lists %s, which no *_gen.go file declares", name)
		}
	}
}

type modelFile struct{ path, version string }

// findModels locates botocore's service-2.json(.gz) through every Python that
// has botocore, plus $AMPLIFYLITE_BOTOCORE_MODEL; duplicates are dropped.
func findModels(t *testing.T) []modelFile {
	var found []modelFile
	seen := map[string]bool{}
	add := func(path, version string) {
		real, err := filepath.EvalSymlinks(path)
		if err != nil || seen[real] {
			return
		}
		seen[real] = true
		found = append(found, modelFile{path, version})
	}
	if p := os.Getenv("AMPLIFYLITE_BOTOCORE_MODEL"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("AMPLIFYLITE_BOTOCORE_MODEL: %v", err)
		}
		add(p, "env")
	}
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		out, err := exec.Command(py, "-c", "import botocore,os; print(os.path.dirname(botocore.__file__)); print(botocore.__version__)").Output()
		if err != nil {
			t.Logf("%s: no botocore: %v", py, err)
			continue
		}
		dir, version, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		for _, name := range []string{"service-2.json.gz", "service-2.json"} {
			p := filepath.Join(dir, "data", "amplifybackend", "2020-08-11", name)
			if _, err := os.Stat(p); err == nil {
				add(p, strings.TrimSpace(version))
				break
			}
		}
	}
	return found
}

type model struct {
	Operations map[string]struct {
		HTTP struct {
			Method     string `json:"method"`
			RequestURI string `json:"requestUri"`
		} `json:"http"`
		Input  struct{ Shape string } `json:"input"`
		Output struct{ Shape string } `json:"output"`
	} `json:"operations"`
	Shapes map[string]shape `json:"shapes"`
}

type shape struct {
	Type      string            `json:"type"`
	Members   map[string]member `json:"members"`
	Required  []string          `json:"required"`
	Enum      []string          `json:"enum"`
	Member    *member           `json:"member"`
	Max       *int64            `json:"max"`
	Exception bool              `json:"exception"`
	Error     struct {
		HTTPStatusCode int `json:"httpStatusCode"`
	} `json:"error"`
}

type member struct {
	Shape        string `json:"shape"`
	Location     string `json:"location"`
	LocationName string `json:"locationName"`
}

func (m member) wire(name string) string {
	if m.LocationName != "" {
		return m.LocationName
	}
	return name
}

func loadModel(t *testing.T, path string) *model {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	var m model
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	if len(m.Operations) == 0 || len(m.Shapes) == 0 {
		t.Fatalf("%s: no operations or shapes", path)
	}
	return &m
}

type driftCheck struct {
	t                      *testing.T
	m                      *model
	nOps, nStructs, nEnums int
	newerOnly              []string
}

var uriParam = regexp.MustCompile(`\{([^}]+)\}`)

// operations compares amplifybackend.Operations with the model, and each
// input's uri-tagged fields with its request URI's parameters.
func (c *driftCheck) operations() {
	t := c.t
	for _, name := range sortedKeys(c.m.Operations) {
		mo := c.m.Operations[name]
		c.nOps++
		want := ab.Operation{Name: name, Method: mo.HTTP.Method, Path: mo.HTTP.RequestURI, Input: mo.Input.Shape, Output: mo.Output.Shape}
		got, ok := ab.OperationByName(name)
		if !ok {
			t.Errorf("operation %s: missing from amplifybackend.Operations", name)
			continue
		}
		if got != want {
			t.Errorf("operation %s:\n got  %+v\n want %+v", name, got, want)
		}
		in := goTypes[mo.Input.Shape]
		if in == nil {
			continue // reported by shapes
		}
		var params, uriTags []string
		for _, p := range uriParam.FindAllStringSubmatch(mo.HTTP.RequestURI, -1) {
			params = append(params, p[1])
		}
		for f := range in.Fields() {
			if u := f.Tag.Get("uri"); u != "" {
				uriTags = append(uriTags, u)
			}
		}
		sort.Strings(params)
		sort.Strings(uriTags)
		if !slices.Equal(params, uriTags) {
			t.Errorf("operation %s: path parameters %v, but %s has uri fields %v", name, params, in.Name(), uriTags)
		}
	}
	if len(ab.Operations) != len(c.m.Operations) {
		t.Errorf("amplifybackend.Operations has %d operations, the model %d", len(ab.Operations), len(c.m.Operations))
	}
	if c.nOps != 31 {
		t.Errorf("the model has %d operations, want 31", c.nOps)
	}
}

// routes compares the HTTP table with the model: every operation once, with
// the model's method and request URI.
func (c *driftCheck) routes() {
	t := c.t
	seen := map[string]bool{}
	for _, r := range httpapi.Routes() {
		if seen[r.Name] {
			t.Errorf("route %s: listed twice", r.Name)
		}
		seen[r.Name] = true
		mo, ok := c.m.Operations[r.Name]
		if !ok {
			t.Errorf("route %s: not in the model", r.Name)
			continue
		}
		if r.Method != mo.HTTP.Method || r.Path != mo.HTTP.RequestURI {
			t.Errorf("route %s: %s %s, model says %s %s", r.Name, r.Method, r.Path, mo.HTTP.Method, mo.HTTP.RequestURI)
		}
	}
	for name := range c.m.Operations {
		if !seen[name] {
			t.Errorf("operation %s: no route in httpapi", name)
		}
	}
}

// shapes checks every structure and enum of the model against its Go type.
func (c *driftCheck) shapes() {
	t := c.t
	for _, name := range sortedKeys(c.m.Shapes) {
		s := c.m.Shapes[name]
		switch {
		case len(s.Enum) > 0:
			c.nEnums++
			c.enum(name, s)
		case s.Type == "structure":
			c.nStructs++
			gt := goTypes[name]
			if gt == nil {
				if removedUpstream[name] {
					t.Logf("structure %s: no Go type (dropped by newer botocore)", name)
					continue
				}
				t.Errorf("structure %s: no Go type", name)
				continue
			}
			if gt.Kind() != reflect.Struct {
				t.Errorf("structure %s: Go type is a %s", name, gt.Kind())
				continue
			}
			c.members(name, s, gt)
			c.required(name, s, gt)
			if s.Exception {
				c.exception(name, s, gt)
			}
		}
	}
}

func (c *driftCheck) enum(name string, s shape) {
	gt := goTypes[name]
	if gt == nil {
		c.t.Errorf("enum %s: no Go type", name)
		return
	}
	if gt.Kind() != reflect.String {
		c.t.Errorf("enum %s: Go type is a %s, want a string type", name, gt.Kind())
		return
	}
	got := enumValues(gt)
	if !slices.Equal(got, s.Enum) {
		c.t.Errorf("enum %s: Values() = %v, model %v", name, got, s.Enum)
	}
}

// enumValues calls the enum type's Values method.
func enumValues(gt reflect.Type) []string {
	out := reflect.Zero(gt).MethodByName("Values").Call(nil)[0]
	vals := make([]string, out.Len())
	for i := range vals {
		vals[i] = out.Index(i).String()
	}
	return vals
}

// goTypeOf is the Go type a member of the given shape must have.
func (c *driftCheck) goTypeOf(shapeName string) reflect.Type {
	s := c.m.Shapes[shapeName]
	switch {
	case len(s.Enum) > 0:
		return goTypes[shapeName]
	case s.Type == "string":
		return reflect.TypeFor[*string]()
	case s.Type == "boolean":
		return reflect.TypeFor[*bool]()
	case s.Type == "double":
		return reflect.TypeFor[*float64]()
	case s.Type == "integer":
		return reflect.TypeFor[*int32]()
	case s.Type == "long":
		return reflect.TypeFor[*int64]()
	case s.Type == "timestamp":
		return reflect.TypeFor[*time.Time]()
	case s.Type == "list":
		elem := c.goTypeOf(s.Member.Shape)
		if elem == nil {
			return nil
		}
		if elem.Kind() == reflect.Pointer {
			elem = elem.Elem()
		}
		return reflect.SliceOf(elem)
	case s.Type == "structure":
		if gt := goTypes[shapeName]; gt != nil {
			return reflect.PointerTo(gt)
		}
	}
	return nil
}

// members compares each member's Go field: name, wire name, tag options, type.
func (c *driftCheck) members(name string, s shape, gt reflect.Type) {
	t := c.t
	byWire := map[string]reflect.StructField{}
	for f := range gt.Fields() {
		if u := f.Tag.Get("uri"); u != "" {
			if f.Tag.Get("json") != "-" {
				t.Errorf("%s.%s: uri field must have json:\"-\", has %q", name, f.Name, f.Tag.Get("json"))
			}
			byWire["uri:"+u] = f
			continue
		}
		wire, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if wire == "" || wire == "-" {
			t.Errorf("%s.%s: no JSON name", name, f.Name)
			continue
		}
		if opts != "omitempty" && opts != "omitzero" {
			t.Errorf("%s.%s: json tag %q must omit absent values (never null)", name, f.Name, f.Tag.Get("json"))
		}
		byWire[wire] = f
	}
	for _, mn := range sortedKeys(s.Members) {
		mb := s.Members[mn]
		key := mb.wire(mn)
		if mb.Location == "uri" {
			key = "uri:" + key
		} else if mb.Location != "" {
			t.Errorf("%s.%s: location %q not supported", name, mn, mb.Location)
		}
		f, ok := byWire[key]
		if !ok {
			t.Errorf("%s.%s: no Go field with wire name %s", name, mn, key)
			continue
		}
		delete(byWire, key)
		if f.Name != mn {
			t.Errorf("%s.%s: Go field is named %s", name, mn, f.Name)
		}
		want := c.goTypeOf(mb.Shape)
		if want == nil {
			t.Errorf("%s.%s: shape %s has no Go type", name, mn, mb.Shape)
		} else if f.Type != want {
			t.Errorf("%s.%s: Go type %s, want %s (shape %s)", name, mn, f.Type, want, mb.Shape)
		}
	}
	for key, f := range byWire {
		c.newerOnly = append(c.newerOnly, name+"."+f.Name+" ("+key+")")
	}
}

// required checks requiredness behaviourally: a zero value reports "Member
// must not be null" at exactly the required members' wire paths, and setting
// any one member (to an empty structure, a list of one empty element, a
// valid enum value or a zero scalar) removes its violation and reports the
// nested structure's own required members under the member's path. Enum
// members also get an invalid value and integers one above their maximum.
func (c *driftCheck) required(name string, s shape, gt reflect.Type) {
	t := c.t
	var req []string
	for _, mn := range s.Required {
		req = append(req, s.Members[mn].wire(mn))
	}
	sort.Strings(req)
	if got := violations(reflect.New(gt)); !slices.Equal(got, notNull(req...)) {
		t.Errorf("%s{}.Validate() = %q, want %q", name, got, notNull(req...))
		return // every per-member check below would repeat this difference
	}
	for _, mn := range sortedKeys(s.Members) {
		mb := s.Members[mn]
		f, ok := gt.FieldByName(mn)
		if !ok || f.Type != c.goTypeOf(mb.Shape) {
			continue // reported by members
		}
		wire := mb.wire(mn)
		others := notNull(slices.DeleteFunc(slices.Clone(req), func(r string) bool { return r == wire })...)
		ms := c.m.Shapes[mb.Shape]

		v := reflect.New(gt)
		fv := v.Elem().FieldByIndex(f.Index)
		want := others
		switch {
		case len(ms.Enum) > 0:
			fv.SetString(ms.Enum[0])
		case ms.Type == "list":
			es := c.m.Shapes[ms.Member.Shape]
			fv.Set(reflect.MakeSlice(f.Type, 1, 1))
			switch {
			case len(es.Enum) > 0:
				fv.Index(0).SetString(es.Enum[0])
			case es.Type == "structure":
				want = append(want, notNull(c.nestedRequired(ms.Member.Shape, wire+".member.1")...)...)
			}
		case ms.Type == "structure":
			fv.Set(reflect.New(f.Type.Elem()))
			want = append(want, notNull(c.nestedRequired(mb.Shape, wire)...)...)
		default:
			fv.Set(reflect.New(f.Type.Elem()))
		}
		sort.Strings(want)
		if got := violations(v); !slices.Equal(got, want) {
			t.Errorf("%s with only %s set: Validate() = %q, want %q", name, wire, got, want)
		}

		// An invalid enum value, alone or in a list, names the member and the value set.
		var badPath string
		var enumShape shape
		switch {
		case len(ms.Enum) > 0:
			fv.SetString("NOT_A_VALUE")
			badPath, enumShape = wire, ms
		case ms.Type == "list" && len(c.m.Shapes[ms.Member.Shape].Enum) > 0:
			fv.Index(0).SetString("NOT_A_VALUE")
			badPath, enumShape = wire+".member.1", c.m.Shapes[ms.Member.Shape]
		case ms.Max != nil:
			fv.Elem().SetInt(*ms.Max + 1)
			want = append(slices.Clone(want), fmt.Sprintf("%s: Member must have value less than or equal to %d", wire, *ms.Max))
			sort.Strings(want)
			if got := violations(v); !slices.Equal(got, want) {
				t.Errorf("%s with %s = %d: Validate() = %q, want %q", name, wire, *ms.Max+1, got, want)
			}
		}
		if badPath != "" {
			want = append(slices.Clone(want), badPath+": Member must satisfy enum value set: ["+strings.Join(enumShape.Enum, ", ")+"]")
			sort.Strings(want)
			if got := violations(v); !slices.Equal(got, want) {
				t.Errorf("%s with %s = NOT_A_VALUE: Validate() = %q, want %q", name, badPath, got, want)
			}
		}
	}
}

// nestedRequired is the wire paths of a structure's required members under prefix.
func (c *driftCheck) nestedRequired(shapeName, prefix string) []string {
	s := c.m.Shapes[shapeName]
	var out []string
	for _, mn := range s.Required {
		out = append(out, prefix+"."+s.Members[mn].wire(mn))
	}
	return out
}

func (c *driftCheck) exception(name string, s shape, gt reflect.Type) {
	v := reflect.New(gt).Interface()
	e, ok := v.(interface {
		error
		HTTPStatusCode() int
	})
	if !ok {
		c.t.Errorf("exception %s: *%s does not implement error and HTTPStatusCode", name, name)
		return
	}
	if e.HTTPStatusCode() != s.Error.HTTPStatusCode {
		c.t.Errorf("exception %s: HTTPStatusCode() = %d, model %d", name, e.HTTPStatusCode(), s.Error.HTTPStatusCode)
	}
}

// violations validates v (a pointer to a generated structure) and returns
// "path: constraint" for each violation, sorted.
func violations(v reflect.Value) []string {
	err := v.Interface().(interface{ Validate() error }).Validate()
	if err == nil {
		return nil
	}
	var ve *ab.ValidationError
	if !errors.As(err, &ve) {
		return []string{"not a *ValidationError: " + err.Error()}
	}
	out := make([]string, len(ve.Violations))
	for i, x := range ve.Violations {
		out[i] = x.Path + ": " + x.Constraint
	}
	sort.Strings(out)
	return out
}

func notNull(paths ...string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p + ": Member must not be null"
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
