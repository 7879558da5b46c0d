package console_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amplifylite/amplifylite/internal/testenv"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	cdruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium (scripts/deps.d/40-chromium.sh
// installs it); AMPLIFYLITE_CHROMIUM overrides it.
func chromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("AMPLIFYLITE_CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	testenv.Missing(t, "AMPLIFYLITE_CHROMIUM", "chromium is not installed: apt-get install chromium, or point AMPLIFYLITE_CHROMIUM at a Chrome binary")
	return ""
}

// page is one headless chromium tab that records what the page logs and
// whether it opened a dialog.
type tab struct {
	ctx     context.Context
	mu      sync.Mutex
	errors  []string
	dialogs []string
}

func newTab(t *testing.T, width, height int64) *tab {
	t.Helper()
	exe := chromiumPath(t)
	profile, err := os.MkdirTemp("", "amplifylite-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.UserDataDir(profile),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(int(width), int(height)),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		chromedp.Cancel(ctx) // closes the browser and waits for it
		cancelTimeout()
		cancel()
		cancelAlloc()
		os.RemoveAll(profile)
	})
	tb := &tab{ctx: ctx}
	chromedp.ListenTarget(ctx, func(ev any) {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		switch e := ev.(type) {
		case *cdruntime.EventExceptionThrown:
			tb.errors = append(tb.errors, "exception: "+e.ExceptionDetails.Text+" "+fmt.Sprint(e.ExceptionDetails.Exception.Description))
		case *cdruntime.EventConsoleAPICalled:
			if e.Type == cdruntime.APITypeError || e.Type == cdruntime.APITypeWarning {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				tb.errors = append(tb.errors, string(e.Type)+": "+strings.Join(args, " "))
			}
		case *cdplog.EventEntryAdded: // failed loads, CSP violations
			if e.Entry.Level == cdplog.LevelError || e.Entry.Level == cdplog.LevelWarning {
				tb.errors = append(tb.errors, string(e.Entry.Source)+": "+e.Entry.Text+" "+e.Entry.URL)
			}
		case *page.EventJavascriptDialogOpening:
			tb.dialogs = append(tb.dialogs, e.Message)
			go chromedp.Run(ctx, page.HandleJavaScriptDialog(false))
		}
	})
	if err := chromedp.Run(ctx, cdplog.Enable(), chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return tb
}

func (tb *tab) run(t *testing.T, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(tb.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// clean fails the test if the page logged an error or opened a dialog.
func (tb *tab) clean(t *testing.T) {
	t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, e := range tb.errors {
		t.Errorf("console message in the page: %s", e)
	}
	for _, d := range tb.dialogs {
		t.Errorf("the page opened a dialog: %q", d)
	}
}

// later runs a script that navigates (a click, a form submission) after the
// evaluation has returned, so that the navigation does not cut it off.
func later(script string) chromedp.Action {
	return chromedp.Evaluate("setTimeout(() => { "+script+" }, 0)", nil)
}

// waitText waits until the element's text contains want; it polls from Go,
// so that a navigation in between (a form's answer) does not end the wait.
func waitText(sel, want string) chromedp.Action {
	expr := fmt.Sprintf(`!!(document.querySelector(%q) && document.querySelector(%q).innerText.includes(%q))`, sel, sel, want)
	return chromedp.ActionFunc(func(ctx context.Context) error {
		deadline := time.Now().Add(15 * time.Second)
		for {
			var ok bool
			if err := chromedp.Evaluate(expr, &ok).Do(ctx); err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s never showed %q", sel, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestBrowser drives the console in headless chromium against a server
// filled through the API.
func TestBrowser(t *testing.T) {
	chromiumPath(t)
	s := start(t, nil)
	fill(t, s.URL)
	base := s.URL + "/_amplifylite/console/"
	c := api{t: t, base: s.URL}.in("000000000000", "us-east-1")

	t.Run("live: a backend created with boto3 appears without a reload", func(t *testing.T) {
		tb := newTab(t, 1280, 800)
		tb.run(t, chromedp.Navigate(base+"apps"), chromedp.WaitVisible("#live-state.on", chromedp.ByQuery))
		control(t, s.URL, "PUT", "/_amplifylite/jobs/config", `{"mode":"auto","duration":"0s"}`)
		defer control(t, s.URL, "PUT", "/_amplifylite/jobs/config", `{"mode":"manual"}`)
		createWithBoto3(t, s.URL, "d7boto", "Made with boto3")
		tb.run(t, waitText("#live", "Made with boto3"))
		tb.clean(t)
	})

	t.Run("forcing a job changes what GetBackendJob returns", func(t *testing.T) {
		job := c.ok("POST", "/backend/d1todo/environments/dev/clone", map[string]any{"targetEnvironmentName": "forced"})
		id := job["jobId"].(string)
		tb := newTab(t, 1280, 800)
		row := fmt.Sprintf(`//tr[.//code[@title=%q]]`, id)
		tb.run(t, chromedp.Navigate(base+"jobs?status=RUNNING"), chromedp.WaitVisible(row))
		tb.run(t, later(fmt.Sprintf(`document.evaluate(%q, document, null, 9, null).singleNodeValue.click()`, row+`//button[@value="FAILED"]`)),
			waitText(".flash", "is now FAILED"))
		got := c.ok("GET", "/backend/d1todo/job/dev/"+id, nil)
		if got["status"] != "FAILED" {
			t.Errorf("GetBackendJob after forcing: %v, want FAILED", got)
		}
		tb.clean(t)
	})

	t.Run("an injected fault shows in the request monitor", func(t *testing.T) {
		tb := newTab(t, 1280, 800)
		tb.run(t, chromedp.Navigate(base+"settings"))
		tb.run(t,
			chromedp.SetValue(`select[name=operation]`, "GetBackendAPI", chromedp.ByQuery),
			chromedp.SetValue(`input[name=statusCode]`, "503", chromedp.ByQuery),
			chromedp.SetValue(`input[name=code]`, "ServiceUnavailableException", chromedp.ByQuery),
			chromedp.SetValue(`form[action$="fault-add"] input[name=message]`, "injected by the browser test", chromedp.ByQuery),
			later(`document.querySelector('form[action$="fault-add"]').requestSubmit()`),
			waitText(".flash", "added"))
		tb.run(t, chromedp.Navigate(base+"requests"), chromedp.WaitVisible("#live-state.on", chromedp.ByQuery))
		if _, status := c.call("POST", "/backend/d1todo/api/dev/details", map[string]any{"resourceName": "todoapi"}); status != 503 {
			t.Fatalf("the fault rule did not fail the request: %d", status)
		}
		tb.run(t, waitText("#live", "ServiceUnavailableException"))
		var html string
		tb.run(t, chromedp.OuterHTML("#live tbody tr", &html, chromedp.ByQuery))
		if !strings.Contains(html, "GetBackendAPI") || !strings.Contains(html, "fault-") {
			t.Errorf("the newest request row does not show the operation and its fault rule:\n%s", html)
		}
		control(t, s.URL, "DELETE", "/_amplifylite/faults", "")
		tb.clean(t)
	})

	t.Run("hostile names render as text, and no page logs an error", func(t *testing.T) {
		tb := newTab(t, 1280, 800)
		for _, p := range []string{"", "apps", "app?account=000000000000&region=us-east-1&app=d9hostile",
			"env?account=000000000000&region=us-east-1&app=d9hostile&env=" + esc(`"><svg onload=alert(2)>`),
			"env?account=000000000000&region=us-east-1&app=d1todo&env=dev",
			"models?account=000000000000&region=us-east-1&app=d1todo&env=dev",
			"models?account=111122223333&region=eu-west-1&app=d2shop&env=main",
			"jobs", "jobs?status=FAILED", "requests", "settings"} {
			var imgs, svgs int
			tb.run(t, chromedp.Navigate(base+p), chromedp.WaitReady("main", chromedp.ByQuery),
				chromedp.Evaluate(`document.querySelectorAll("main img").length`, &imgs),
				chromedp.Evaluate(`document.querySelectorAll("main svg, main script, [onload], [onerror]").length`, &svgs))
			if imgs+svgs > 0 {
				t.Errorf("%s: user markup became elements (%d img, %d svg, script or handlers)", p, imgs, svgs)
			}
		}
		var text string
		tb.run(t, chromedp.Navigate(base+"apps"), chromedp.Text("#live", &text, chromedp.ByQuery))
		if !strings.Contains(text, xssName) {
			t.Errorf("the hostile app name is not shown as text")
		}
		tb.clean(t)
	})

	t.Run("usable at 390×844", func(t *testing.T) {
		tb := newTab(t, 390, 844)
		for _, p := range []string{"", "apps", "env?account=000000000000&region=us-east-1&app=d1todo&env=dev", "jobs", "requests", "settings"} {
			var overflow bool
			tb.run(t, chromedp.Navigate(base+p), chromedp.WaitReady("main", chromedp.ByQuery),
				chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow))
			if overflow {
				t.Errorf("%s: the page is wider than a 390 px screen (tables scroll inside their box; the page must not)", p)
			}
			var navVisible bool
			tb.run(t, chromedp.Evaluate(`(() => { const r = document.querySelector('header nav a[href$="settings"]').getBoundingClientRect(); return r.right <= window.innerWidth && r.width > 0 })()`, &navVisible))
			if !navVisible {
				t.Errorf("%s: the navigation does not fit the screen", p)
			}
		}
		tb.clean(t)
	})
}

// createWithBoto3 creates a backend with boto3 (Debian's python3-boto3),
// as a user's script would.
func createWithBoto3(t *testing.T, endpoint, app, name string) {
	t.Helper()
	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import boto3").Run() != nil {
		testenv.Missing(t, "", "boto3 is missing: apt-get install python3-boto3")
	}
	script := fmt.Sprintf(`import boto3
c = boto3.client("amplifybackend", endpoint_url=%q, region_name="us-east-1", aws_access_key_id="000000000000", aws_secret_access_key="x")
c.create_backend(AppId=%q, AppName=%q, BackendEnvironmentName="dev")
`, endpoint, app, name)
	out, err := exec.Command(py, "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}

// TestScreenshots writes screenshots of the main views at 1280×800 to the
// directory AMPLIFYLITE_SCREENSHOTS names (make screenshots: docs/console).
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("AMPLIFYLITE_SCREENSHOTS")
	if dir == "" {
		t.Skip("set AMPLIFYLITE_SCREENSHOTS=DIR to write screenshots (make screenshots)")
	}
	chromiumPath(t)
	s := start(t, nil)
	fill(t, s.URL)
	base := s.URL + "/_amplifylite/console/"
	tb := newTab(t, 1280, 800)
	for _, shot := range []struct{ name, path string }{
		{"overview", ""},
		{"apps", "apps"},
		{"environment", "env?account=000000000000&region=us-east-1&app=d1todo&env=dev"},
		{"data-model", "models?account=000000000000&region=us-east-1&app=d1todo&env=dev"},
		{"jobs", "jobs"},
		{"requests", "requests"},
		{"settings", "settings"},
	} {
		var png []byte
		tb.run(t, chromedp.Navigate(base+shot.path), chromedp.WaitReady("footer", chromedp.ByQuery),
			chromedp.Sleep(300*time.Millisecond), chromedp.CaptureScreenshot(&png))
		if err := os.WriteFile(filepath.Join(dir, shot.name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tb.clean(t)
}
