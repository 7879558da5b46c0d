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
	n := 0
	for i, p := range parts {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			t.params[i] = strings.Trim(p, "{}")
			n++
		} else {
			t.segs[i] = p
		}
	}
	if n > maxParams || len(parts) > maxSegments {
		panic("httpapi: template " + path + " has more parameters or segments than pathParams holds")
	}
	return t
}

// maxSegments bounds the segments of a path that can match a route: the
// longest template has five. splitPath handles any number.
const maxSegments = 8

// maxParams bounds the parameters of a template: the most have three.
const maxParams = 4

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
	escapes := strings.IndexByte(escaped, '%') >= 0
	for {
		seg, rest, more := strings.Cut(escaped, "/")
		if escapes {
			u, err := url.PathUnescape(seg)
			if err != nil {
				return nil, false
			}
			seg = u
		}
		dst = append(dst, seg)
		if !more {
			return dst, true
		}
		escaped = rest
	}
}

// pathParams are the parameter values of a matched path, by name.
type pathParams struct {
	names, values [maxParams]string
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

// fits reports whether segs fit the template: as many segments, and the
// same literal ones. It compares from the end, where templates differ.
func (t *template) fits(segs []string) bool {
	if len(segs) != len(t.segs) {
		return false
	}
	for i := len(segs) - 1; i >= 0; i-- {
		if t.params[i] == "" && segs[i] != t.segs[i] {
			return false
		}
	}
	return true
}

// values returns the parameter values of segs, which fit the template.
func (t *template) values(segs []string) (values pathParams) {
	for i, s := range segs {
		if t.params[i] != "" {
			values.names[values.n], values.values[values.n] = t.params[i], s
			values.n++
		}
	}
	return values
}

// match reports whether segs fit the template and returns the parameter values
// in template order. Parameters may be empty: the caller rejects those with a
// message naming the member.
func (t *template) match(segs []string) (values pathParams, ok bool) {
	if !t.fits(segs) {
		return pathParams{}, false
	}
	return t.values(segs), true
}

// dotSegment returns the first "." or ".." segment of an escaped path.
func dotSegment(escaped string) (string, bool) {
	if strings.IndexByte(escaped, '.') < 0 {
		return "", false
	}
	for seg := range strings.SplitSeq(escaped, "/") {
		if seg == "." || seg == ".." {
			return seg, true
		}
	}
	return "", false
}
