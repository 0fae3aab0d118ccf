package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/request"
)

// dataFilings are requests enough for every chart of /dati to have bars above the suppression
// threshold: three comuni in three provinces, three task forces, four months.
func dataFilings() []apptest.Filing {
	rome, _ := time.LoadLocation("Europe/Rome")
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 0, 0, 0, rome) }
	var out []apptest.Filing
	comuni := [][3]string{{"013041", "Cantù", "CO"}, {"015146", "Milano", "MI"}, {"016024", "Bergamo", "BG"}}
	procs := []string{"VA-01", "VA-02", "BON-01", "EDU-01"}
	for i := 0; i < 16; i++ {
		c := comuni[i%3]
		f := apptest.Filing{ISTAT: c[0], Comune: c[1], Province: c[2], Procedure: procs[i%4], Filed: day(time.Month(1+i/4), 1+i),
			Pending: 10 + i, AvgDays: 100 + 5*i}
		switch i % 4 {
		case 0, 1:
			f.Assigned, f.Started, f.Concluded = f.Filed.AddDate(0, 0, 2+i%3), f.Filed.AddDate(0, 0, 4+i%3), f.Filed.AddDate(0, 0, 20+i)
		case 2:
			f.Assigned = f.Filed.AddDate(0, 0, 1+i%2)
		case 3:
			f.Rejected = f.Filed.AddDate(0, 0, 1)
		}
		out = append(out, f)
	}
	return out
}

// TestOpenDataPage opens /dati with and without JavaScript, in Italian and English, at 1280 and
// 320 px: axe finds nothing, nothing scrolls sideways, every chart has its table, and the filter
// works as a plain form. Screenshots are written to PASSHUB_SCREENSHOTS when it is set.
func TestOpenDataPage(t *testing.T) {
	s := apptest.Start(t)
	filings := dataFilings()
	ids := apptest.FileRequests(t, s, filings)
	ptr := func(n int) *int { return &n }
	for i, f := range filings { // the enti answer the outcome of the concluded requests
		if f.Concluded.IsZero() {
			continue
		}
		if _, err := s.Requests.AnswerOutcome(context.Background(), apptest.MayorOf(t, s, f.ISTAT, f.Comune), ids[i], "concluded",
			request.Answer{BacklogPending: ptr(f.Pending / 2), BacklogAvgDays: ptr(f.AvgDays * 2 / 3)}); err != nil {
			t.Fatal(err)
		}
	}
	apptest.Idle(t, s.App)
	tb := newTab(t)
	shots := os.Getenv("PASSHUB_SCREENSHOTS")
	for _, js := range []bool{true, false} {
		tb.setScripts(t, js)
		for _, lang := range []string{"it", "en"} {
			for _, width := range []int64{1280, 320} {
				for _, p := range []string{"/dati", "/dati/task-force/VA", "/dati/province/CO?da=2026-02", "/dati/dataset/richieste-per-mese"} {
					name := strings.Join([]string{map[bool]string{true: "js", false: "nojs"}[js], lang, strconv.FormatInt(width, 10), strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(p)}, "-")
					t.Run(name, func(t *testing.T) {
						tb.run(t, chromedp.EmulateViewport(width, 900), chromedp.Navigate(s.URL+p+sep(p)+"lang="+lang), chromedp.WaitReady(chromedp.CSS("footer#footer")))
						if got := eval[string](t, tb, "document.documentElement.lang"); got != lang {
							t.Errorf("html lang = %q", got)
						}
						r := eval[reflowResult](t, tb, reflow)
						if r.Wide {
							t.Errorf("the page is %d px wide at %d: %v", r.Width, width, r.Culprits)
						}
						if js { // axe runs as a script of the page
							for _, v := range axe(t, tb) {
								t.Error("axe: " + v)
							}
						}
						charts := eval[int](t, tb, "document.querySelectorAll('main svg[role=img]').length")
						tables := eval[int](t, tb, "document.querySelectorAll('main .pass-data-section table caption').length")
						if strings.HasPrefix(p, "/dati/dataset") {
							if tables := eval[int](t, tb, "document.querySelectorAll('main table th[scope=row] code').length"); tables < 5 {
								t.Errorf("%d documented columns", tables)
							}
						} else if charts == 0 || charts != tables {
							t.Errorf("%d charts, %d tables", charts, tables)
						}
						if n := eval[int](t, tb, "document.querySelectorAll('main svg [style], main svg style').length"); n > 0 {
							t.Errorf("%d inline styles in the charts", n)
						}
						if shots != "" && js {
							shoot(t, tb, filepath.Join(shots, name+".png"), chromedp.FullScreenshot(100))
							if lang == "it" && p == "/dati" {
								for _, id := range eval[[]string](t, tb, "[...document.querySelectorAll('main section[id], main form[id]')].map(s => s.id)") {
									shoot(t, tb, filepath.Join(shots, name+"-"+id+".png"), chromedp.Screenshot(chromedp.CSS("#"+id)))
								}
							}
						}
						for _, problem := range tb.take() {
							t.Error(problem)
						}
					})
				}
			}
		}
	}
	// The filter is a plain GET form: without JavaScript it reloads the page with the figures of
	// the chosen task force, and a bad month is reported beside its field.
	tb.setScripts(t, false)
	tb.run(t, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+"/dati?lang=it"), chromedp.WaitReady(chromedp.CSS("#dati-filter")))
	tb.run(t, chromedp.SetValue(chromedp.CSS("#dati-tf"), "BON"), chromedp.SetValue(chromedp.CSS("#dati-da"), "2026-02"),
		chromedp.Click(chromedp.CSS("#dati-filter button[type=submit]")))
	settle(t, tb, `location.search.includes('tf=BON') && document.readyState === 'complete' && !!document.querySelector('#sezione-procedure tbody')`, "the filtered page")
	if loc := eval[string](t, tb, "location.search"); !strings.Contains(loc, "tf=BON") || !strings.Contains(loc, "da=2026-02") {
		t.Errorf("filter URL %q", loc)
	}
	if got := eval[string](t, tb, "document.querySelector('#sezione-procedure tbody').textContent"); !strings.Contains(got, "BON-01") || strings.Contains(got, "VA-01") {
		t.Errorf("procedures of the BON filter: %q", got)
	}
	tb.run(t, chromedp.SetValue(chromedp.CSS("#dati-da"), "2026-13"), chromedp.Click(chromedp.CSS("#dati-filter button[type=submit]")))
	settle(t, tb, `document.readyState === 'complete' && !!document.getElementById('dati-da-error')`, "the errors")
	if got := eval[string](t, tb, "document.getElementById('dati-da-error').textContent"); !strings.Contains(got, "AAAA-MM") {
		t.Errorf("month error %q", got)
	}
	tb.setScripts(t, true)
	tb.run(t, chromedp.Reload(), chromedp.WaitReady(chromedp.CSS(".pass-error-summary")))
	for _, v := range axe(t, tb) {
		t.Error("axe on the errors: " + v)
	}
	tb.take()
}

// shoot writes a screenshot.
func shoot(t *testing.T, tb *tab, path string, action chromedp.Action[[]byte]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func sep(p string) string {
	if strings.Contains(p, "?") {
		return "&"
	}
	return "?"
}

// settle waits for the expression to be true, asking from Go: with scripts off the page cannot
// poll, and an evaluation during the navigation that a form submission starts may fail.
func settle(t *testing.T, tb *tab, expr, what string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " — " + (document.querySelector('main') || document.body).innerText.slice(0, 600)`))
	t.Fatalf("%s: never happened; the page is %s", what, where)
}
