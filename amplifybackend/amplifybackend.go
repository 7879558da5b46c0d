// Package amplifybackend is the typed model of the AWS Amplify Admin API
// (service AmplifyBackend, API version 2020-08-11): every request, response and
// nested structure, every enum, and a validator per structure.
//
// Conventions, the same as the AWS SDK for Go v2:
//   - Optional scalars and structures are pointers; nil means absent, and absent
//     members are omitted on the wire (never sent as null).
//   - Lists are slices; nil means absent, an empty non-nil slice is sent as [].
//   - Enums are string types with constants and Values(); "" means absent.
//   - JSON tags carry the exact wire names, including the irregular ones
//     (MFAMode, Facebook, client_id, aws_user_pools_id, ...).
//   - Members bound to the URL path have the tag uri:"name" and no JSON name.
//
// Validate reports every violation at once. Integer ranges enforce only the
// upper bound: clients send 0 (and some paginators negative numbers) for "no
// limit", which the service treats as the default.
//
// The *_gen.go files are generated from botocore's service model:
//
//	go generate ./amplifybackend
package amplifybackend

//go:generate sh -c "go run ./internal/gen -out . -model $(python3 -c 'import botocore,os;print(os.path.dirname(botocore.__file__))')/data/amplifybackend/2020-08-11/service-2.json.gz"

// Operation describes one operation's HTTP binding, as the service model gives it.
type Operation struct {
	Name   string // PascalCase operation name, e.g. CreateBackendAuth.
	Method string // GET or POST.
	Path   string // Request URI template, e.g. /backend/{appId}/auth.
	Input  string // Name of the input structure.
	Output string // Name of the output structure.
}

// OperationByName returns the operation with the given name.
func OperationByName(name string) (Operation, bool) {
	for _, op := range Operations {
		if op.Name == name {
			return op, true
		}
	}
	return Operation{}, false
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// String returns a pointer to s, for filling optional members.
func String(s string) *string { return &s }

// Bool returns a pointer to b.
func Bool(b bool) *bool { return &b }

// Float64 returns a pointer to f.
func Float64(f float64) *float64 { return &f }

// Int32 returns a pointer to i.
func Int32(i int32) *int32 { return &i }
