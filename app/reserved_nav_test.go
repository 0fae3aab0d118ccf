package app_test

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
)

// TestReservedMenuFollowsRoles opens the reserved area as each persona: the menu lists the
// sections their roles open, and nothing else, and every entry opens for them.
func TestReservedMenuFollowsRoles(t *testing.T) {
	t.Parallel()
	w := buildWorld(t)
	a := "/area-riservata/enti/" + strconv.FormatInt(w.enteA, 10)
	// everyone follows the calls for funding (the editors also enter them) and asks the help desk
	// and drafts acts from the templates
	base := []string{"/area-riservata", "/area-riservata/notifiche", "/area-riservata/bandi/avvisi", "/area-riservata/assistenza", "/area-riservata/modelli"}
	calls := "/area-riservata/bandi"
	admin := []string{"/admin/audit", "/admin/enti", "/admin/lavori", "/admin/registrazioni", "/admin/territori", "/admin/token-api", "/admin/utenti", "/admin/webhook",
		"/admin/spazi", "/area-riservata/spazi"} // the work areas: admins manage them, and see them all
	tenders := "/area-riservata/documenti-gara" // the tender library: members of approved enti and staff
	projects := "/area-riservata/progetti"      // the project sheets: the same people
	want := map[string][]string{
		"legal rep A":   append([]string{"/area-riservata/richieste", a, a + "/delegati", tenders, projects}, base...),
		"delegate A":    append([]string{"/area-riservata/richieste", a, tenders, projects}, base...),
		"pending mayor": base,
		"pm":            append([]string{"/area-riservata/richieste", "/area-riservata/triage", "/area-riservata/analisi", tenders, projects}, base...),
		"expert":        append([]string{"/area-riservata/richieste", tenders, projects}, base...),
		"editor":        append([]string{"/redazione", tenders, calls, projects}, base...),
		"publisher":     append([]string{"/redazione", tenders, calls, projects}, base...),
		"admin": append(append([]string{"/area-riservata/richieste", "/redazione", "/area-riservata/analisi", tenders, "/area-riservata/crm", calls, projects,
			"/area-riservata/helpdesk"}, admin...), base...), // admins work the help desk's queue too
	}
	for who, links := range want {
		t.Run(who, func(t *testing.T) {
			res, body := w.s.Get(t, "/area-riservata", "Cookie", w.cookies[who], "Accept-Language", "it")
			if res.StatusCode != 200 {
				t.Fatalf("%d", res.StatusCode)
			}
			doc := parse(t, body)
			nav := doc.Find(`nav.pass-reserved-nav[aria-label="Menu dell'area riservata"]`)
			var got []string
			nav.Find("a").Each(func(_ int, a *goquery.Selection) {
				if h := a.AttrOr("href", ""); !contains(got, h) {
					got = append(got, h)
				}
			})
			sort.Strings(got)
			sort.Strings(links)
			if strings.Join(got, " ") != strings.Join(links, " ") {
				t.Errorf("menu %v\nwant %v", got, links)
			}
			if cur := nav.Find(`a[aria-current="page"]`).AttrOr("href", ""); cur != "/area-riservata" {
				t.Errorf("current entry %q", cur)
			}
			for _, l := range got {
				if res, _ := w.s.Get(t, l, "Cookie", w.cookies[who]); res.StatusCode != 200 {
					t.Errorf("%s answers %d", l, res.StatusCode)
				}
			}
		})
	}
	// Public pages keep the public header only.
	_, body := w.s.Get(t, "/procedure", "Cookie", w.cookies["pm"])
	if parse(t, body).Find("nav.pass-reserved-nav").Length() != 0 {
		t.Error("the reserved menu shows on a public page")
	}
}

// TestBellHasAnIconAndAName: the bell is a link with the sprite's icon and an accessible name that
// says how many notifications are unread; with none, no badge (no red "0").
func TestBellHasAnIconAndAName(t *testing.T) {
	t.Parallel()
	w := buildWorld(t)
	apptest.Idle(t, w.s.App)
	_, body := w.s.Get(t, "/area-riservata", "Cookie", w.cookies["pending mayor"], "Accept-Language", "it")
	bell := parse(t, body).Find("a.pass-bell")
	if bell.Length() != 1 || !strings.HasSuffix(bell.Find("svg use").AttrOr("href", ""), "sprites.svg#it-horn") || bell.Find("svg").AttrOr("aria-hidden", "") != "true" {
		t.Fatalf("bell: %d links, icon %q", bell.Length(), bell.Find("svg use").AttrOr("href", ""))
	}
	if name := strings.TrimSpace(bell.Text()); name != "Notifiche, nessuna non letta" || bell.Find(".badge").Length() != 0 {
		t.Errorf("bell with nothing unread: %q, %d badges", name, bell.Find(".badge").Length())
	}
	_, frag := w.s.Get(t, "/area-riservata/notifiche/conteggio", "Cookie", w.cookies["pm"], "Accept-Language", "en")
	doc := parse(t, frag)
	n := strings.TrimSpace(doc.Find(".badge").Text())
	if n == "" || n == "0" {
		t.Fatalf("the PM has no unread notification to show: %q", frag)
	}
	if label := doc.Find(".visually-hidden").Text(); !regexp.MustCompile(`^Notifications, (1|` + n + `) unread$`).MatchString(label) {
		t.Errorf("bell name %q for %s unread", label, n)
	}
	if doc.Find(".badge").AttrOr("aria-hidden", "") != "true" {
		t.Error("the number is read twice")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
