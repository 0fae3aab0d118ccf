package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/content"
	"passhub/app/monitor"
)

// TestMonitoringReportPages writes the draft report of 2026-S2 over the demo's requests and opens,
// as the caporedattore, its newsroom page and the bell that announces it, then, published, its
// public page and the reports' list, in Italian and in English: axe-core finds nothing, and no
// page reports a console error or a failed request.
func TestMonitoringReportPages(t *testing.T) {
	s := apptest.Start(t)
	seedPersonas(t, s, true)
	apptest.Idle(t, s.App)
	rome, _ := time.LoadLocation("Europe/Rome")
	s.Monitor.SetClock(func() time.Time { return time.Date(2027, 1, 1, 6, 0, 0, 0, rome) })
	res, err := s.Monitor.Generate(context.Background(), monitor.Semester{Year: 2026, Half: 2})
	if err != nil || !res.Created {
		t.Fatalf("generate: %+v %v", res, err)
	}
	apptest.Idle(t, s.App)
	tb := newTab(t)
	devLogin(t, tb, s, "caporedattore")
	visit := func(pages ...string) {
		t.Helper()
		for _, lang := range []string{"it", "en"} {
			for _, p := range pages {
				tb.run(t, chromedp.Navigate(s.URL+p+"?lang="+lang), chromedp.WaitReady(chromedp.CSS("footer#footer")))
				if p == "/area-riservata/notifiche" {
					if text := eval[string](t, tb, "document.querySelector('main').innerText"); !strings.Contains(text, "Report di monitoraggio – secondo semestre 2026") {
						t.Errorf("the bell (%s) does not name the draft: %q", lang, text)
					}
				}
				for _, v := range axe(t, tb) {
					t.Errorf("%s (%s): axe: %s", p, lang, v)
				}
				for _, problem := range tb.take() {
					t.Errorf("%s (%s): %s", p, lang, problem)
				}
			}
		}
	}
	visit(res.DeskURL(), "/area-riservata/notifiche")

	w, err := s.Content.Work(context.Background(), content.TypeReport, res.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Content.Publish(context.Background(), content.Actor{Name: "test", Publisher: true}, content.TypeReport, res.Slug, w.Head.ID); err != nil {
		t.Fatal(err)
	}
	visit("/report/"+res.Slug, "/report")
}
