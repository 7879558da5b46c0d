package amplifybackend

import (
	"fmt"
	"strconv"
	"strings"
)

// ValidationError lists every constraint a request violates. Its message has
// the service's shape: "2 validation errors detected: Value at 'x' failed to
// satisfy constraint: ...; Value at 'y' ...".
type ValidationError struct {
	Violations []Violation
}

// Violation is one failed constraint on the member at Path (a dotted wire path
// such as resourceConfig.userPoolConfigs.mfa.MFAMode).
type Violation struct {
	Path       string
	Constraint string
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	if len(e.Violations) == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", len(e.Violations))
	}
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "Value at '%s' failed to satisfy constraint: %s", v.Path, v.Constraint)
	}
	return b.String()
}

type validator struct{ violations []Violation }

func (v *validator) add(path, constraint string) {
	v.violations = append(v.violations, Violation{Path: path, Constraint: constraint})
}

func (v *validator) missing(path string) { v.add(path, "Member must not be null") }

// enumValue is an enum type of this package.
type enumValue[T any] interface {
	~string
	Values() []T
}

// checkEnum records a violation when val is not one of its type's values.
func checkEnum[T enumValue[T]](v *validator, path string, val T) {
	values := val.Values()
	set := make([]string, len(values))
	for i, x := range values {
		if any(x) == any(val) {
			return
		}
		set[i] = fmt.Sprint(x)
	}
	v.add(path, "Member must satisfy enum value set: ["+strings.Join(set, ", ")+"]")
}

func (v *validator) max(path string, got, limit int64) {
	v.add(path, "Member must have value less than or equal to "+strconv.FormatInt(limit, 10))
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
