package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	keys "github.com/chromedp/chromedp/kb"

	"passhub/app/apptest"
	"passhub/app/identity"
)

// kbVotes counts the stored votes on an article, and those with a comment.
func kbVotes(t *testing.T, s *apptest.Server, slug string) (votes, comments int) {
	t.Helper()
	count := func(comment bool) int {
		q := s.DB.NewSelect().Table("kb_feedback").Join("JOIN entries AS e ON e.id = kb_feedback.entry_id").Where("e.slug = ?", slug)
		if comment {
			q = q.Where("kb_feedback.comment <> ''")
		}
		n, err := q.Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	return count(false), count(true)
}

// TestKnowledgeBasePages opens the knowledge base (the index, a category, a tag and every
// shipped article) in Italian and English, at 1280 and 320 px: no console error or failed
// request, axe-clean, the Italian content marked lang="it" in English, no sideways scroll and no
// overlapping text at 320. Then it votes with the keyboard alone (each control focused, Space or
// Enter), in both languages: with JavaScript a bad answer is told beside its field and the box is
// swapped for the thanks in place; without, the form posts and the article comes back with the
// thanks. Last, an editor reads the figures. KB_SHOTS names a folder for screenshots.
func TestKnowledgeBasePages(t *testing.T) {
	s := apptest.Start(t)
	tb := newTab(t)
	shots := os.Getenv("KB_SHOTS")
	texts, _ := json.Marshal(italianTexts(t, s))
	italianUnmarked := "(" + unmarked + ")(" + string(texts) + ")"
	pages := []string{"/faq", "/faq?categoria=pagopa", "/faq?tag=accesso"}
	articles, err := filepath.Glob(filepath.Join(apptest.ContentDir(), "faq", "*.md"))
	if err != nil || len(articles) == 0 {
		t.Fatalf("articles: %v", err)
	}
	for _, a := range articles { // every shipped article: their tables and lists too must fit
		pages = append(pages, "/faq/"+strings.TrimSuffix(filepath.Base(a), ".md"))
	}
	for _, lang := range []string{"it", "en"} {
		for _, width := range []int64{1280, 320} {
			tb.run(t, chromedp.EmulateViewport(width, 900))
			for _, p := range pages {
				t.Run(lang+"/"+strings.TrimPrefix(p, "/")+"/"+map[int64]string{1280: "wide", 320: "narrow"}[width], func(t *testing.T) {
					tb.run(t, chromedp.Navigate(s.URL+p+sep(p)+"lang="+lang), chromedp.WaitReady(chromedp.CSS("footer#footer")))
					if got := eval[string](t, tb, "document.documentElement.lang"); got != lang {
						t.Errorf("html lang = %q", got)
					}
					for _, v := range axe(t, tb) {
						t.Error("axe: " + v)
					}
					if lang == "en" && width == 1280 {
						for _, u := range eval[[]string](t, tb, italianUnmarked) {
							t.Error("not lang=it: " + u)
						}
					}
					if width == 320 {
						if r := eval[reflowResult](t, tb, reflow); r.Wide {
							t.Errorf("the page is %d px wide at 320: %v", r.Width, r.Culprits)
						}
						if o := eval[[]string](t, tb, overlaps); len(o) > 0 {
							t.Errorf("overlapping text: %v", o)
						}
					}
					if shots != "" && lang == "it" && (!strings.HasPrefix(p, "/faq/") || p == "/faq/pagopa-riconciliazione") {
						name := strings.NewReplacer("/", "_", "?", "_", "=", "-").Replace(strings.TrimPrefix(p, "/"))
						shoot(t, tb, filepath.Join(shots, name+"-"+map[int64]string{1280: "1280", 320: "320"}[width]+".png"), chromedp.FullScreenshot(100))
					}
					for _, problem := range tb.take() {
						t.Error(problem)
					}
				})
			}
		}
	}

	// By the keyboard alone, in both languages. With JavaScript a vote without a choice is told
	// in place, then "No" with a comment is swapped for the thanks without leaving the page;
	// without JavaScript "Yes" posts the form and the article comes back with the thanks.
	for _, v := range []struct {
		lang, slug, choose, thanks string
		js                         bool
	}{
		{"it", "pagopa-riconciliazione", "Scegli", "Grazie", true},
		{"en", "pagopa-attivare-un-servizio", "Choose", "Thank you", true},
		{"it", "trovare-i-bandi", "", "Grazie", false},
		{"en", "delegare-un-collega", "", "Thank you", false},
	} {
		t.Run("vote/"+v.lang+"/"+map[bool]string{true: "js", false: "nojs"}[v.js], func(t *testing.T) {
			tb.setScripts(t, v.js)
			tb.run(t, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+"/faq/"+v.slug+"?lang="+v.lang), chromedp.WaitReady(chromedp.CSS("#kb-vote form")))
			if !v.js {
				tb.run(t, chromedp.Focus(chromedp.CSS("#kb-yes")), chromedp.KeyEvent(" "),
					chromedp.Focus(chromedp.CSS(`#kb-vote button[type=submit]`)), chromedp.KeyEvent(keys.Enter))
				settle(t, tb, `document.readyState === 'complete' && !!document.querySelector('#flash') && !!document.querySelector('#kb-vote .alert-success')`, "the article with the thanks")
				if got := eval[string](t, tb, "document.getElementById('flash').textContent"); !strings.Contains(got, v.thanks) {
					t.Errorf("flash %q", got)
				}
				if n, c := kbVotes(t, s, v.slug); n != 1 || c != 0 {
					t.Errorf("%d votes, %d comments stored", n, c)
				}
				tb.setScripts(t, true)
				tb.run(t, chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("#kb-vote .alert-success")))
			} else {
				eval[bool](t, tb, "window.passStayed = true")
				tb.run(t, chromedp.Focus(chromedp.CSS(`#kb-vote button[type=submit]`)), chromedp.KeyEvent(keys.Enter))
				settle(t, tb, `!!document.querySelector('#kb-vote .pass-error-summary')`, "the refused vote")
				if got := eval[string](t, tb, "document.getElementById('kb-choice-error').textContent"); !strings.Contains(got, v.choose) {
					t.Errorf("choice error %q", got)
				}
				if !eval[bool](t, tb, "document.activeElement && document.activeElement.classList.contains('pass-error-summary')") {
					t.Error("the error is not focused")
				}
				for _, a := range axe(t, tb) {
					t.Error("axe on the refused vote: " + a)
				}
				tb.take() // the 422 was meant
				tb.run(t, chromedp.Focus(chromedp.CSS("#kb-no")), chromedp.KeyEvent(" "),
					chromedp.Focus(chromedp.CSS("#kb-comment")), chromedp.KeyEvent("Manca un esempio della causale."),
					chromedp.Focus(chromedp.CSS(`#kb-vote button[type=submit]`)), chromedp.KeyEvent(keys.Enter))
				settle(t, tb, `!!document.querySelector('#kb-vote .alert-success')`, "the thanks")
				if !eval[bool](t, tb, "window.passStayed === true") {
					t.Error("the vote left the page")
				}
				if !eval[bool](t, tb, "document.activeElement && document.activeElement.classList.contains('alert-success')") {
					t.Error("the thanks is not focused")
				}
				if got := eval[string](t, tb, "document.querySelector('#kb-vote .alert-success').textContent"); !strings.Contains(got, v.thanks) {
					t.Errorf("thanks %q", got)
				}
				if n, c := kbVotes(t, s, v.slug); n != 1 || c != 1 {
					t.Errorf("%d votes, %d comments stored", n, c)
				}
				if shots != "" && v.lang == "it" {
					shoot(t, tb, filepath.Join(shots, "vote-js.png"), chromedp.FullScreenshot(100))
				}
			}
			for _, a := range axe(t, tb) {
				t.Error("axe on the thanks: " + a)
			}
			// The same browser, back on the article, is not asked again.
			tb.run(t, chromedp.Navigate(s.URL+"/faq/"+v.slug), chromedp.WaitReady(chromedp.CSS("#kb-vote")))
			if eval[bool](t, tb, "!!document.querySelector('#kb-vote form')") {
				t.Error("the browser that voted is asked again")
			}
			for _, p := range tb.take() {
				t.Error(p)
			}
		})
	}

	// The editors' figures, with the comment left above.
	editor := apptest.FiscalCode("RDTRDT80A01F205")
	u, _, err := s.Identity.Login(context.Background(), identityOf(editor, "Edo"), identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Identity.Grant(context.Background(), identity.Actor{}, u.ID, "editor", ""); err != nil {
		t.Fatal(err)
	}
	loginAs(t, tb, s, editor, "Edo")
	for _, lang := range []string{"it", "en"} {
		for _, width := range []int64{1280, 320} {
			tb.run(t, chromedp.EmulateViewport(width, 900), chromedp.Navigate(s.URL+"/redazione/faq/utilita?lang="+lang), chromedp.WaitReady(chromedp.CSS("footer#footer")))
			if got := eval[string](t, tb, "document.getElementById('kb-fig-pagopa-riconciliazione').textContent"); !strings.Contains(got, "Manca un esempio della causale.") {
				t.Errorf("figures row %q", got)
			}
			for _, v := range axe(t, tb) {
				t.Errorf("axe on the figures (%s, %d): %s", lang, width, v)
			}
			if width == 320 {
				if r := eval[reflowResult](t, tb, reflow); r.Wide {
					t.Errorf("the figures are %d px wide at 320: %v", r.Width, r.Culprits)
				}
			}
			if shots != "" && lang == "it" {
				shoot(t, tb, filepath.Join(shots, fmt.Sprintf("figures-%d.png", width)), chromedp.FullScreenshot(100))
			}
		}
	}
	for _, p := range tb.take() {
		t.Error(p)
	}
}
