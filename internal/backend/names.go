package backend

import (
	"regexp"
	"sync"
	"unicode"
	"unicode/utf8"
)

// CheckName applies the limits every identifier shares (app ids, environment
// and resource names, every path parameter): 1–255 bytes of valid UTF-8
// without control characters and other than "." and ".." (which would be dot
// segments in a request path), else a BadRequest error naming member.
// The real service's limits are not public; these are deliberately permissive.
func CheckName(member, v string) error {
	switch {
	case v == "":
		return badRequestf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1", member)
	case len(v) > 255:
		return badRequestf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to 255", member)
	case v == "." || v == "..":
		return badRequestf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must not be '.' or '..'", member)
	case !utf8.ValidString(v):
		return badRequestf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be valid UTF-8", member)
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return badRequestf("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must not contain control characters", member)
		}
	}
	return nil
}

// checkNames checks member/value pairs in order and returns the first failure.
// Path parameters are already checked by the HTTP edge; callers check body members.
func checkNames(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := CheckName(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// bucketNameRE is compiled on first use: its bounded repetition makes a
// program of ~60 copies, 70 µs and 235 allocations at every process start.
var bucketNameRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
})

// ipLikeRE and badSeqRE are compiled on first use too.
var ipLikeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`) })
var badSeqRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\.\.|\.-|-\.`) })

// checkBucketName applies S3's bucket naming rules.
func checkBucketName(member, name string) error {
	bad := !bucketNameRE().MatchString(name) || ipLikeRE().MatchString(name) ||
		badSeqRE().MatchString(name)
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if len(name) >= len(p) && name[:len(p)] == p {
			bad = true
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", "--x-s3", "--table-s3", ".mrap"} {
		if len(name) >= len(s) && name[len(name)-len(s):] == s {
			bad = true
		}
	}
	if bad {
		return badRequestf("%s '%s' is not a valid S3 bucket name: use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit", member, name)
	}
	return nil
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func pendingJobError(appID, env string) error {
	return badRequestf("There is already a pending job for the requested appId: %s and backendEnvironmentName: %s, wait for it to complete before creating a new job.", appID, env)
}
