package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"passhub/app/apptest"
)

// TestSearchInTheBrowser types in the header's box, picks a suggestion with the keyboard, then
// refines the results with a facet in place; axe-core finds nothing on the page, open list included.
func TestSearchInTheBrowser(t *testing.T) {
	s := apptest.Start(t)
	tb := newTab(t)
	tb.run(t, chromedp.Navigate(s.URL+"/?lang=it"), chromedp.WaitReady(chromedp.CSS("#header-q")),
		chromedp.SendKeys(chromedp.CSS("#header-q"), "bonif"),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#header-q-list [role=option]').length > 1 && document.getElementById('header-q').getAttribute('aria-expanded') === 'true'`, chromedp.WithPollingTimeout(10e9)),
	)
	for _, v := range axe(t, tb) {
		t.Errorf("axe, suggestions open: %s", v)
	}
	if st := eval[string](t, tb, `document.getElementById('header-q-status').textContent`); !strings.Contains(st, "suggerimenti") {
		t.Errorf("the number of suggestions is not announced: %q", st)
	}
	// The first Escape closes the list and keeps the text.
	tb.run(t, chromedp.SendKeys(chromedp.CSS("#header-q"), kb.Escape))
	if v := eval[string](t, tb, `document.getElementById('header-q').value + '|' + document.getElementById('header-q').getAttribute('aria-expanded')`); v != "bonif|false" {
		t.Errorf("after one Escape: %q, want the text kept and the list closed", v)
	}
	tb.run(t, chromedp.SendKeys(chromedp.CSS("#header-q"), "i"),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#header-q-list [role=option]').length > 1 && document.getElementById('header-q').getAttribute('aria-expanded') === 'true'`, chromedp.WithPollingTimeout(10e9)))
	tb.run(t, chromedp.SendKeys(chromedp.CSS("#header-q"), kb.ArrowDown+kb.ArrowDown))
	active := eval[string](t, tb, `document.getElementById('header-q').getAttribute('aria-activedescendant') || ''`)
	if active != "header-q-opt-1" {
		t.Fatalf("arrow keys: active option %q", active)
	}
	want := eval[string](t, tb, `document.getElementById('header-q-opt-1').getAttribute('data-href')`)
	tb.run(t, chromedp.SendKeys(chromedp.CSS("#header-q"), kb.Enter))
	var loc string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if loc, _ = chromedp.Run(tb.ctx, chromedp.Location()); strings.HasSuffix(loc, want) {
			break
		}
	}
	if !strings.HasSuffix(loc, want) {
		t.Fatalf("Enter on a suggestion went to %q, want %q", loc, want)
	}
	tb.run(t, chromedp.WaitReady(chromedp.CSS("main h1")))

	// The search page refines in place and keeps a shareable URL.
	tb.run(t, chromedp.Navigate(s.URL+"/cerca?q=procedura"), chromedp.WaitReady(chromedp.CSS(`input.pass-facet[name="tipo"][value="procedure"]`)))
	eval[chromedp.Void](t, tb, "window.__marker = 7; 0")
	tb.run(t, chromedp.Click(chromedp.CSS(`input.pass-facet[name="tipo"][value="procedure"]`)),
		chromedp.Poll[chromedp.Void](`location.search.includes('tipo=procedure') && document.querySelectorAll('li.pass-hit').length > 0 && [...document.querySelectorAll('li.pass-hit .badge')].every(b => b.textContent.trim() === 'Procedura')`, chromedp.WithPollingTimeout(10e9)))
	if eval[int](t, tb, "window.__marker || 0") != 7 {
		t.Error("the page reloaded instead of swapping the results")
	}
	// The title follows the filter, the count lives outside the swapped results, focus stays
	// on the box just ticked.
	if title := eval[string](t, tb, "document.title"); !strings.HasPrefix(title, "«procedura» – filtri: Procedura – Cerca") {
		t.Errorf("title after the filter: %q", title)
	}
	if st := eval[string](t, tb, `(document.querySelector('#search-status[role=status]:not(#search-results *)') || {}).textContent || ''`); !strings.Contains(st, "risultati per «procedura»") {
		t.Errorf("the count is not in the live region outside the results: %q", st)
	}
	if f := eval[string](t, tb, `document.activeElement && document.activeElement.value || ''`); f != "procedure" {
		t.Errorf("focus after the swap is on %q, not on the facet ticked", f)
	}
	if n := eval[int](t, tb, `document.querySelectorAll('#search-results mark').length`); n == 0 {
		t.Error("no highlighted passage")
	}
	for _, v := range axe(t, tb) {
		t.Errorf("axe, results: %s", v)
	}
	for _, p := range tb.take() {
		t.Error(p)
	}
	// Without JavaScript the search is a plain GET form.
	tb.setScripts(t, false)
	tb.run(t, chromedp.Navigate(s.URL+"/cerca"), chromedp.WaitReady(chromedp.CSS("#search-q")),
		chromedp.SetValue(chromedp.CSS("#search-q"), "bonifica"), chromedp.Submit(chromedp.CSS("#search-q")),
		chromedp.WaitReady(chromedp.CSS("li.pass-hit")))
	loc, err := chromedp.Run(tb.ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "q=bonifica") {
		t.Errorf("without JavaScript: %q %v", loc, err)
	}
	tb.setScripts(t, true)
}
