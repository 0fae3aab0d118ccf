package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/content"
)

// italianTexts are the content's own words: titles and summaries of every published entry, task
// force and procedure, and the enti's names (longer than a few letters, so a match is content).
func italianTexts(t *testing.T, s *apptest.Server) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	add := func(v ...string) {
		for _, x := range v {
			if x = strings.TrimSpace(x); len([]rune(x)) >= 12 {
				out = append(out, x)
			}
		}
	}
	l, err := s.Content.List(ctx, content.Query{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range l.Entries {
		add(e.Title, e.Summary)
	}
	tfs, err := s.Catalogue.Catalogue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tf := range tfs {
		add(tf.Title)
		for _, p := range tf.Procedures {
			add(p.Title, p.Summary)
		}
	}
	add("Arretrato delle VIA del polo logistico")
	return out
}

// unmarked lists the text nodes of the page's body that hold one of the Italian texts, whole or
// as a part, while their nearest lang attribute is not "it".
const unmarked = `((texts) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const s = n.textContent.replace(/\s+/g, ' ').trim();
    if (s.length < 12 || !n.parentElement || !n.parentElement.checkVisibility()) continue;
    const el = n.parentElement.closest('[lang]');
    if (el && (el.getAttribute('lang') || '').toLowerCase().startsWith('it')) continue; // an SVG element has no .lang
    if (texts.some(x => x.includes(s) || s.includes(x))) {
      const p = n.parentElement;
      out.push(p.tagName.toLowerCase() + (p.className ? '.' + String(p.className).replace(/\s+/g, '.') : '') + ': ' + s.slice(0, 60));
    }
  }
  return out;
})`

// TestItalianContentIsMarkedInEnglish opens the main pages in English, public and reserved: every
// piece of the content's Italian text (titles, summaries, snippets, breadcrumbs, menus, dashboard
// rows) sits inside an element marked lang="it", so screen readers switch voice.
func TestItalianContentIsMarkedInEnglish(t *testing.T) {
	s, sets := layoutSite(t)
	texts, _ := json.Marshal(italianTexts(t, s))
	check := "(" + unmarked + ")(" + string(texts) + ")"
	tb := newTab(t)
	sets[0].pages = append(publicPages(t, s), "/cerca?q=valutazione", "/cerca/suggerimenti?q=valuta")
	sets[2].pages = append(sets[2].pages, "/area-riservata/notifiche", "/cerca?q=arretrato&tipo=request")
	for _, set := range sets {
		loginPersona(t, tb, s, set.who)
		tb.run(t, chromedp.Navigate(s.URL+"/?lang=en"))
		for _, p := range set.pages {
			t.Run(set.who+"/"+strings.TrimPrefix(p, "/"), func(t *testing.T) {
				if strings.HasPrefix(p, "/cerca/suggerimenti") {
					tb.run(t, chromedp.Navigate(s.URL+"/?lang=en"), chromedp.WaitReady(chromedp.CSS("#header-q")),
						chromedp.SendKeys(chromedp.CSS("#header-q"), "valuta"),
						chromedp.Poll[chromedp.Void](`document.querySelectorAll('#header-q-list [role=option]').length > 0`, chromedp.WithPollingTimeout(10e9)))
				} else {
					visit(t, tb, s, set.who, p)
				}
				if got := eval[string](t, tb, "document.documentElement.lang"); got != "en" {
					t.Fatalf("page in %q", got)
				}
				for _, u := range eval[[]string](t, tb, check) {
					t.Error("not lang=it: " + u)
				}
			})
		}
	}
	tb.take()
}
