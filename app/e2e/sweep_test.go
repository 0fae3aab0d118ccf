package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
)

// sweepPage is a page a persona opens in a sweep: Who names the persona for login.
type sweepPage struct{ Who, Path string }

// sweep opens every page as its persona, with JavaScript and without, in Italian and English, at
// 1280 and 320 px: no message id shows untranslated (ids), nothing scrolls sideways, the console
// and the network stay clean, and with JavaScript axe finds nothing and no label overlaps
// another. login opens the persona's session in the tab. With PASSHUB_SCREENSHOTS set to a
// folder, each view is saved there as prefix-….png.
func sweep(t *testing.T, tb *tab, s *apptest.Server, prefix string, ids *regexp.Regexp, pages []sweepPage, login func(who string)) {
	t.Helper()
	shots := os.Getenv("PASSHUB_SCREENSHOTS")
	who := ""
	for _, js := range []bool{true, false} {
		tb.setScripts(t, js)
		for _, p := range pages {
			if p.Who != who {
				who = p.Who
				login(who)
			}
			for _, lang := range []string{"it", "en"} {
				for _, width := range []int64{1280, 320} {
					name := strings.Join([]string{prefix, map[bool]string{true: "js", false: "nojs"}[js], p.Who, lang,
						strconv.FormatInt(width, 10), strings.NewReplacer("/", "_", "?", "_", "=", "_", "&", "_").Replace(p.Path)}, "-")
					t.Run(name, func(t *testing.T) {
						tb.run(t, chromedp.EmulateViewport(width, 900), chromedp.Navigate(s.URL+p.Path+sep(p.Path)+"lang="+lang),
							chromedp.WaitReady(chromedp.CSS("footer#footer")))
						if got := eval[string](t, tb, "document.documentElement.lang"); got != lang {
							t.Errorf("html lang = %q", got)
						}
						if text := eval[string](t, tb, "document.querySelector('main').innerText"); ids.MatchString(text) {
							t.Errorf("a message id shows untranslated: %q", ids.FindString(text))
						}
						if r := eval[reflowResult](t, tb, reflow); r.Wide {
							t.Errorf("the page is %d px wide at %d: %v", r.Width, width, r.Culprits)
						}
						if js {
							for _, v := range axe(t, tb) {
								t.Error("axe: " + v)
							}
							if o := eval[[]string](t, tb, overlaps); len(o) > 0 {
								t.Errorf("overlapping labels: %v", o)
							}
						}
						if shots != "" {
							shoot(t, tb, filepath.Join(shots, name+".png"), chromedp.FullScreenshot(100))
						}
						for _, problem := range tb.take() {
							t.Error(problem)
						}
					})
				}
			}
		}
	}
}
