// Package e2e drives the real site in Debian's chromium: pages load without console errors or
// failed requests, axe-core finds no WCAG 2.1 A/AA violation in either language, and the htmx
// enhancements work with JavaScript and degrade to plain links and forms without it.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
)

// chromiumPath finds Debian's chromium; without it the tests fail in CI and skip elsewhere.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: CI must run the browser tests (make chromium installs it)")
	}
	t.Skip("chromium is not installed: `make chromium` installs Debian's package, then the browser tests run")
	return ""
}

// tab is one browser tab with the problems its pages reported.
type tab struct {
	ctx      context.Context
	mu       sync.Mutex
	problems []string
}

// newTab starts chromium headless with a fresh profile and opens a tab; both end with the test.
func newTab(t *testing.T) *tab {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Headless,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	tb := &tab{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil { // start the browser with no deadline
		t.Fatalf("start chromium: %v", err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		var p string
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				p = "console error: " + strings.Join(parts, " ")
			}
		case *runtime.EventExceptionThrown:
			p = "exception: " + e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				p += " " + e.ExceptionDetails.Exception.Description
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				p = "log error: " + e.Entry.Text + " " + e.Entry.URL
			}
		case *network.EventLoadingFailed:
			if !e.Canceled {
				p = "request failed: " + e.ErrorText + " " + string(e.BlockedReason)
			}
		case *network.EventResponseReceived:
			if e.Response.Status >= 400 {
				p = fmt.Sprintf("HTTP %d: %s", e.Response.Status, e.Response.URL)
			}
		}
		if p != "" {
			tb.mu.Lock()
			tb.problems = append(tb.problems, p)
			tb.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// run runs steps with a deadline, so a test never hangs.
func (tb *tab) run(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// open navigates to url and runs steps there, loading the page again (up to three times) when a
// step fails because the page's document was replaced under it: a node found before the new page
// replaced the old one ("Could not find node with given id") is gone when it is used. The steps
// must be safe to repeat: finding and filling fields, not submitting.
func (tb *tab) open(t *testing.T, url string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	all := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(url)}, steps...)
	for try := 1; ; try++ {
		ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
		err := chromedp.Do(ctx, all...)
		cancel()
		if err == nil {
			return
		}
		if try == 3 {
			t.Fatal(err)
		}
		t.Logf("%s: %v; loading the page again", url, err)
	}
}

// clickAndLoad clicks sel and waits until the page that answers has replaced this one, is
// loaded and has ready: a selector found at once could be the old page's, gone when it is used.
func (tb *tab) clickAndLoad(t *testing.T, sel, ready string) {
	t.Helper()
	tb.run(t, chromedp.Evaluate[chromedp.Void](`window.passLeaving = true`), chromedp.Click(chromedp.CSS(sel)))
	settle(t, tb, `!window.passLeaving && document.readyState === 'complete' && !!document.querySelector(`+strconv.Quote(ready)+`)`, ready)
}

// eval evaluates a JavaScript expression (awaiting a promise) and decodes its value.
func eval[T any](t *testing.T, tb *tab, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %.60s: %v", expr, err)
	}
	return v
}

// take returns and clears the problems reported since the last call.
func (tb *tab) take() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	p := tb.problems
	tb.problems = nil
	return p
}

// setScripts turns JavaScript on or off for the pages the tab loads next.
func (tb *tab) setScripts(t *testing.T, on bool) {
	t.Helper()
	tb.run(t, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	}))
}

var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(filepath.Join(apptest.Root(), "node_modules", "axe-core", "axe.min.js"))
	return string(b), err
})

// violation is what axe reports for one rule.
type violation struct {
	ID, Impact, Help string
	Nodes            []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// axe runs axe-core's WCAG 2.1 A and AA rules on the current page.
func axe(t *testing.T, tb *tab) []string {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatalf("axe-core (npm) is missing: %v", err)
	}
	if !eval[bool](t, tb, "typeof window.axe === 'object'") {
		eval[chromedp.Void](t, tb, src+";0")
	}
	vs := eval[[]violation](t, tb, `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}}).then(r => r.violations)`)
	var out []string
	for _, v := range vs {
		var targets []string
		for i, n := range v.Nodes {
			if i == 3 {
				break
			}
			targets = append(targets, fmt.Sprint(n.Target...))
		}
		out = append(out, fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(targets, " | ")))
	}
	return out
}
