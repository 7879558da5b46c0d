package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// parsePages parses each page template with the layout and the shared
// partials.
func parsePages(asset func(string) string) map[string]*template.Template {
	funcs := template.FuncMap{
		"link":        link,
		"asset":       asset,
		"s":           deref,
		"num":         num,
		"ts":          ts,
		"ago":         ago,
		"jobClass":    jobClass,
		"httpClass":   httpClass,
		"lines":       func(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") },
		"join":        strings.Join,
		"short":       short,
		"add":         func(a, b int) int { return a + b },
		"pretty":      pretty,
		"dict":        dict,
		"strs":        strs,
		"hasPrefix":   strings.HasPrefix,
		"lower":       strings.ToLower,
		"ms":          func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
		"notEmpty":    notEmpty,
		"pluralize":   pluralize,
		"percent":     func(p *float64) string { return percent(p) },
		"resourceKey": func(kind, name string) string { return kind + ":" + name },
	}
	partials, err := fs.Glob(templateFS, "templates/_*.html")
	if err != nil {
		panic(err)
	}
	pages, err := fs.Glob(templateFS, "templates/[a-z]*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		if p == "templates/layout.html" {
			continue
		}
		files := append([]string{"templates/layout.html", p}, partials...)
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		out[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, files...))
	}
	return out
}

// link is the URL of a console page with query parameters given as
// name/value pairs; empty values are left out.
func link(page string, kv ...any) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v := fmt.Sprint(deref(kv[i+1]))
		if v != "" && v != "0" {
			q.Set(fmt.Sprint(kv[i]), v)
		}
	}
	u := Base + page
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// deref shows a pointer's value ("" for nil) and anything else as it is.
func deref(v any) any {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return ""
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return ""
	}
	if rv.Kind() == reflect.Float64 {
		return strconv.FormatFloat(rv.Float(), 'f', -1, 64)
	}
	return rv.Interface()
}

// num writes an integer with thousands separators.
func num(n any) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func ts(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	d := time.Since(t)
	switch {
	case d < 0:
		return "in " + (-d).Round(time.Second).String()
	case d < 5*time.Second:
		return "just now"
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s ago"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m ago"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h ago"
	}
	return strconv.Itoa(int(d.Hours()/24)) + "d ago"
}

// jobClass is the badge class of a job status.
func jobClass(status string) string {
	switch status {
	case "RUNNING":
		return "run"
	case "COMPLETED":
		return "ok"
	case "FAILED":
		return "fail"
	}
	return "muted"
}

// httpClass is the badge class of an HTTP status.
func httpClass(status int) string {
	switch {
	case status >= 500:
		return "fail"
	case status >= 400:
		return "warn"
	case status >= 200 && status < 300:
		return "ok"
	}
	return "muted"
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// pretty indents JSON text; text that is not JSON is shown as it is.
func pretty(s string) string {
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(s), "", "  ") != nil {
		return s
	}
	return buf.String()
}

func dict(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// strs turns a slice of string-like enum values into strings.
func strs(v any) []string {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Slice {
		return nil
	}
	out := make([]string, rv.Len())
	for i := range out {
		out[i] = fmt.Sprint(rv.Index(i).Interface())
	}
	return out
}

func notEmpty(v any) bool {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return false
		}
		rv = rv.Elem()
	}
	return rv.IsValid() && !rv.IsZero()
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return num(n) + " " + many
}

func percent(p *float64) string {
	if p == nil {
		return "100%"
	}
	return strconv.FormatFloat(*p*100, 'f', -1, 64) + "%"
}
