package amplifyhosting

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/amplifylite/amplifylite/amplifybackend"
)

// ValidationError lists every constraint a request violates, in the
// service's words (amplifybackend's type: the two services say it alike).
type ValidationError = amplifybackend.ValidationError

// Violation is one failed constraint.
type Violation = amplifybackend.Violation

type validator struct{ violations []Violation }

func (v *validator) missing(path string) {
	v.violations = append(v.violations, Violation{Path: path, Constraint: "Member must not be null"})
}

func (v *validator) max(path string, got, limit int64) {
	v.violations = append(v.violations, Violation{Path: path, Constraint: "Member must have value less than or equal to " + strconv.FormatInt(limit, 10)})
}

// checkEnum records a violation when val is not one of its type's values.
func checkEnum[T interface {
	~string
	Values() []T
}](v *validator, path string, val T) {
	set := make([]string, 0, len(val.Values()))
	for _, x := range val.Values() {
		if x == val {
			return
		}
		set = append(set, fmt.Sprint(x))
	}
	v.violations = append(v.violations, Violation{Path: path, Constraint: "Member must satisfy enum value set: [" + strings.Join(set, ", ") + "]"})
}

func (v *validator) err() error {
	if len(v.violations) == 0 {
		return nil
	}
	return &ValidationError{Violations: v.violations}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func index(path string, i int) string { return path + ".member." + strconv.Itoa(i+1) }
