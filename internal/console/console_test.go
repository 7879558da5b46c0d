package console_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/amplifylite/amplifylite/internal/server"
	"github.com/amplifylite/amplifylite/internal/sigv4"
)

// get fetches a console page with a cookie jar, as a browser would.
func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

var hrefRE = regexp.MustCompile(`href="(/_amplifylite/console/[^"#]*)"`)

// TestConsole_EveryPage fills a server through the API and follows every
// link of the console from its front page: each page answers 200, and no
// user-supplied markup reaches a page unescaped.
func TestConsole_EveryPage(t *testing.T) {
	s := start(t, nil)
	fill(t, s.URL)
	c := browser()
	seen := map[string]bool{}
	queue := []string{"/_amplifylite/console/"}
	for len(queue) > 0 && len(seen) < 400 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		status, body := get(t, c, s.URL+strings.ReplaceAll(p, "&amp;", "&"))
		if status != 200 {
			t.Errorf("GET %s: %d\n%s", p, status, body)
			continue
		}
		for _, bad := range []string{"<img src=x", "<svg onload", "<b>bold</b>", "<nil>", "%!"} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s: the page holds %q", p, bad)
			}
		}
		for _, m := range hrefRE.FindAllStringSubmatch(body, -1) {
			if !strings.Contains(m[1], "/static/") && !strings.HasSuffix(m[1], "/state") {
				queue = append(queue, m[1])
			}
		}
	}
	for _, want := range []string{"env?", "models?", "app?", "jobs?", "requests", "settings"} {
		found := false
		for p := range seen {
			found = found || strings.Contains(p, want)
		}
		if !found {
			t.Errorf("no link to %s was followed; seen %d pages", want, len(seen))
		}
	}
	// The hostile name is there, as text.
	_, body := get(t, c, s.URL+"/_amplifylite/console/apps")
	if !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the hostile app name is not shown escaped")
	}
}

// TestConsole_Redirect: a browser's GET / goes to the console; API
// clients keep the API's answer.
func TestConsole_Redirect(t *testing.T) {
	s := start(t, nil)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", s.URL+"/", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "/_amplifylite/console/" {
		t.Errorf("browser GET /: %d %q, want 302 to the console", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = c.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("x-amzn-ErrorType") != "UnknownOperationException" {
		t.Errorf("API client GET /: %d %q, want the API's 404 UnknownOperationException", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
	}
}

// csrfOf reads the CSRF token of a page's forms.
func csrfOf(t *testing.T, body string) string {
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token on the page")
	}
	return m[1]
}

func post(t *testing.T, c *http.Client, u string, form url.Values, origin string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
		req.Header.Set("Sec-Fetch-Site", map[bool]string{true: "same-origin", false: "cross-site"}[strings.HasPrefix(u, origin)])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestConsole_CSRF: an action needs the page's token and the console's own
// origin; with both, it calls the domain.
func TestConsole_CSRF(t *testing.T) {
	s := start(t, nil)
	c := browser()
	_, body := get(t, c, s.URL+"/_amplifylite/console/apps")
	tok := csrfOf(t, body)
	form := url.Values{"account": {"000000000000"}, "region": {"us-east-1"}, "app": {"d1csrf"}, "env": {"dev"}, "back": {"/_amplifylite/console/apps"}}
	for _, tt := range []struct {
		name, token, origin string
	}{
		{"no token", "", s.URL},
		{"wrong token", "forged", s.URL},
		{"other origin", tok, "https://evil.example"},
	} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if tt.token != "" {
			f.Set("csrf", tt.token)
		}
		if status, _ := post(t, c, s.URL+"/_amplifylite/console/do/create-backend", f, tt.origin); status != 403 {
			t.Errorf("%s: %d, want 403", tt.name, status)
		}
	}
	if _, body := get(t, c, s.URL+"/_amplifylite/console/apps"); strings.Contains(body, "d1csrf") {
		t.Fatal("a refused action created the app")
	}
	form.Set("csrf", tok)
	if status, body := post(t, c, s.URL+"/_amplifylite/console/do/create-backend", form, s.URL); status != 200 || !strings.Contains(body, "CreateBackend d1csrf/dev: job") {
		t.Fatalf("with the token: %d\n%s", status, body)
	}
	api{t: t, base: s.URL}.in("000000000000", "us-east-1").ok("POST", "/backend/d1csrf/details", nil)
}

// TestConsole_Access: with --credentials the console wants the admin token,
// as the control plane does, then keeps a session cookie.
func TestConsole_Access(t *testing.T) {
	s := start(t, func(o *server.Options) {
		o.Credentials = []sigv4.Credential{{AccessKeyID: "AKIDCONSOLE", SecretAccessKey: "secret", Account: "000000000000"}}
		o.AdminToken = "letmein"
	})
	c := browser()
	status, body := get(t, c, s.URL+"/_amplifylite/console/jobs")
	if status != 200 || !strings.Contains(body, `name="token"`) {
		t.Fatalf("without a session: %d, want the sign-in page\n%s", status, body)
	}
	if resp, err := http.Get(s.URL + "/_amplifylite/console/events"); err != nil || resp.StatusCode != 403 {
		t.Fatalf("events without a session: %v %v, want 403", resp.StatusCode, err)
	}
	tok := csrfOf(t, body)
	if _, body := post(t, c, s.URL+"/_amplifylite/console/login", url.Values{"csrf": {tok}, "token": {"wrong"}, "next": {"/_amplifylite/console/jobs"}}, s.URL); !strings.Contains(body, "Sign-in failed") {
		t.Fatalf("a wrong token was not refused:\n%s", body)
	}
	_, body = post(t, c, s.URL+"/_amplifylite/console/login", url.Values{"csrf": {tok}, "token": {"letmein"}, "next": {"https://evil.example/"}}, s.URL)
	if !strings.Contains(body, "<h1>Overview</h1>") {
		t.Fatalf("after sign-in with a foreign next: want the overview\n%s", body)
	}
	if status, body := get(t, c, s.URL+"/_amplifylite/console/jobs"); status != 200 || !strings.Contains(body, "<h1>Jobs</h1>") {
		t.Fatalf("with a session: %d\n%s", status, body)
	}
	// The bearer token works too, as for every control endpoint.
	req, _ := http.NewRequest("GET", s.URL+"/_amplifylite/console/settings", nil)
	req.Header.Set("Authorization", "Bearer letmein")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "<h1>Settings</h1>") {
		t.Fatalf("with the bearer token: %d", resp.StatusCode)
	}
}
