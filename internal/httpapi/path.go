package httpapi

import (
	"net/url"
	"strings"
)

// template is a compiled request-URI template such as /backend/{appId}/details.
type template struct {
	segs   []string // literal segments; "" where a parameter stands
	params []string // parameter name per segment, "" for literals
}

func compileTemplate(path string) template {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	t := template{segs: make([]string, len(parts)), params: make([]string, len(parts))}
	for i, p := range parts {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			t.params[i] = strings.Trim(p, "{}")
		} else {
			t.segs[i] = p
		}
	}
	return t
}

// splitPath splits an escaped request path into its segments and
// percent-decodes each one, so that an encoded "/" (%2F) stays inside its
// segment. A leading /prod (the API Gateway stage) is dropped. ok is false
// when a segment is not valid percent-encoding.
func splitPath(escaped string) (segs []string, ok bool) {
	escaped = strings.TrimPrefix(escaped, "/")
	if escaped == "prod" {
		escaped = ""
	} else if rest, found := strings.CutPrefix(escaped, "prod/"); found {
		escaped = rest
	}
	raw := strings.Split(escaped, "/")
	segs = make([]string, len(raw))
	for i, s := range raw {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, false
		}
		segs[i] = u
	}
	return segs, true
}

// match reports whether segs fit the template and returns the parameter values
// in template order. Parameters may be empty: the caller rejects those with a
// message naming the member.
func (t template) match(segs []string) (values map[string]string, ok bool) {
	if len(segs) != len(t.segs) {
		return nil, false
	}
	for i, s := range segs {
		if t.params[i] == "" && s != t.segs[i] {
			return nil, false
		}
	}
	values = make(map[string]string, 3)
	for i, s := range segs {
		if t.params[i] != "" {
			values[t.params[i]] = s
		}
	}
	return values, true
}

// dotSegment returns the first "." or ".." segment of an escaped path.
func dotSegment(escaped string) (string, bool) {
	for seg := range strings.SplitSeq(escaped, "/") {
		if seg == "." || seg == ".." {
			return seg, true
		}
	}
	return "", false
}
