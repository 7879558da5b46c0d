// Package amplifyhosting is the typed model of the part of AWS Amplify
// (Amplify Hosting, service Amplify, API version 2017-07-25) amplifylite
// serves: apps and their backend environments, the calls the Amplify CLI
// makes on `amplify pull`. Its conventions are amplifybackend's (pointers for
// optional members, every wire name exact, Validate on every structure);
// timestamps are Timestamp, which REST-JSON sends as epoch seconds.
//
// The *_gen.go files are generated from botocore's service model:
//
//	go generate ./amplifyhosting
package amplifyhosting

//go:generate sh -c "go run ../amplifybackend/internal/gen -out . -package amplifyhosting -ops CreateApp,GetApp,ListApps,DeleteApp,CreateBackendEnvironment,GetBackendEnvironment,ListBackendEnvironments,DeleteBackendEnvironment -model $(python3 -c 'import botocore,os;print(os.path.dirname(botocore.__file__))')/data/amplify/2017-07-25/service-2.json.gz"

import (
	"strconv"
	"time"

	"github.com/amplifylite/amplifylite/amplifybackend"
)

// SigningName is the service's SigV4 signing name.
const SigningName = "amplify"

// Operation describes one operation's HTTP binding, as the service model gives it.
type Operation = amplifybackend.Operation

// OperationByName returns the operation with the given name.
func OperationByName(name string) (Operation, bool) {
	for _, op := range Operations {
		if op.Name == name {
			return op, true
		}
	}
	return Operation{}, false
}

// Timestamp is a time on the wire of a REST-JSON service: seconds since the
// epoch, with a fraction for milliseconds.
type Timestamp struct{ time.Time }

// Time returns a pointer to a Timestamp of t.
func Time(t time.Time) *Timestamp { return &Timestamp{t} }

// MarshalJSON writes epoch seconds.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(t.UnixMilli())/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads epoch seconds.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	t.Time = time.UnixMilli(int64(f * 1000)).UTC()
	return nil
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

// Int32 returns a pointer to i.
func Int32(i int32) *int32 { return &i }
