package backend

import (
	"reflect"
	"testing"

	ab "github.com/amplifylite/amplifylite/amplifybackend"
)

// fill sets every member of v (a pointer) to a non-zero value, recursively.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fill(v.Index(0), n)
		fill(v.Index(1), n)
	case reflect.String:
		v.SetString("s" + string(rune('a'+*n%26)))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Int32, reflect.Int64, reflect.Int:
		v.SetInt(int64(*n))
	default:
		panic("fill: " + v.Kind().String())
	}
}

// roundTrip checks that every member of the API model's W survives the
// conversion to the record R and back: a newer model that adds or renames a
// member fails here until the record (and, if its stored form changes, the
// record version) follows.
func roundTrip[W, R any](t *testing.T) {
	t.Helper()
	var want W
	n := 0
	fill(reflect.ValueOf(&want).Elem(), &n)
	rec, err := recode[R](&want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := recode[W](rec)
	if err != nil {
		t.Fatal(err)
	}
	// Path parameters are not part of a stored request.
	for _, v := range []reflect.Value{reflect.ValueOf(&want).Elem(), reflect.ValueOf(got).Elem()} {
		for i := range v.NumField() {
			if v.Type().Field(i).Tag.Get("json") == "-" {
				v.Field(i).SetZero()
			}
		}
	}
	if !reflect.DeepEqual(&want, got) {
		t.Errorf("%T → %T → %T loses members:\n got %+v\nwant %+v", want, *rec, want, *got, want)
	}
}

func TestRecords_HoldEveryMemberOfTheModel(t *testing.T) {
	roundTrip[ab.CreateBackendAuthResourceConfig, AuthConfig](t)
	roundTrip[ab.UpdateBackendAuthResourceConfig, AuthConfigUpdate](t)
	roundTrip[ab.BackendAPIResourceConfig, APIConfig](t)
	roundTrip[ab.CreateBackendStorageResourceConfig, StorageConfig](t)
	roundTrip[ab.UpdateBackendStorageResourceConfig, StorageConfigUpdate](t)
	roundTrip[ab.ImportBackendAuthRequest, AuthImport](t)
	roundTrip[ab.ImportBackendStorageRequest, StorageImport](t)
	roundTrip[ab.LoginAuthConfigReqObj, LoginAuthConfig](t)
}

// TestRecords_ReadBack: a configuration reads back as written; one of a newer
// record version, or of another kind, is refused.
func TestRecords_ReadBack(t *testing.T) {
	r := &Resource{Kind: KindAPI, Name: "api"}
	if err := r.setConfig(&APIConfig{TransformSchema: ab.String("type A @model { id: ID! }")}); err != nil {
		t.Fatal(err)
	}
	cfg, err := r.apiConfig()
	if err != nil || str(cfg.TransformSchema) != "type A @model { id: ID! }" || r.V != recordVersion {
		t.Fatalf("read back: %+v, %v (v%d)", cfg, err, r.V)
	}
	if _, err := r.authConfig(); err == nil {
		t.Error("an API's configuration read as auth")
	}
	r.V = recordVersion + 1
	if _, err := r.apiConfig(); err == nil {
		t.Error("a newer record version read")
	}
	r.V, r.Config = 0, []byte(`{"transformSchema":5}`)
	if _, err := r.apiConfig(); err == nil {
		t.Error("an undecodable configuration read")
	}
}
