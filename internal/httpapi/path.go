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

// maxSegments bounds the segments of a path that can match a route: the
// longest template has five. splitPath handles any number.
const maxSegments = 8

// splitPath splits an escaped request path into its segments and
// percent-decodes each one, so that an encoded "/" (%2F) stays inside its
// segment. A leading /prod (the API Gateway stage) is dropped. ok is false
// when a segment is not valid percent-encoding.
func splitPath(escaped string) (segs []string, ok bool) {
	return appendSegments(nil, escaped)
}

// appendSegments is splitPath appending to dst: with a dst of capacity
// maxSegments, a path that can match a route costs no allocation.
func appendSegments(dst []string, escaped string) (segs []string, ok bool) {
	escaped = strings.TrimPrefix(escaped, "/")
	if escaped == "prod" {
		escaped = ""
	} else if rest, found := strings.CutPrefix(escaped, "prod/"); found {
		escaped = rest
	}
	for s := range strings.SplitSeq(escaped, "/") {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, false
		}
		dst = append(dst, u)
	}
	return dst, true
}

// pathParams are the parameter values of a matched path, by name.
type pathParams struct {
	names, values [maxSegments]string
	n             int
}

// get returns the value of the named parameter.
func (p *pathParams) get(name string) (string, bool) {
	for i := range p.n {
		if p.names[i] == name {
			return p.values[i], true
		}
	}
	return "", false
}

// match reports whether segs fit the template and returns the parameter values
// in template order. Parameters may be empty: the caller rejects those with a
// message naming the member.
func (t template) match(segs []string) (values pathParams, ok bool) {
	if len(segs) != len(t.segs) || len(segs) > maxSegments {
		return pathParams{}, false
	}
	for i, s := range segs {
		if t.params[i] == "" && s != t.segs[i] {
			return pathParams{}, false
		}
	}
	for i, s := range segs {
		if t.params[i] != "" {
			values.names[values.n], values.values[values.n] = t.params[i], s
			values.n++
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
