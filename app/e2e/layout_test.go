package e2e

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/content"
	"passhub/app/ente"
	"passhub/app/extract/extracttest"
	"passhub/app/identity"
	"passhub/app/tender"
)

// formPages are, for each persona (the anonymous visitor as ""), the pages that carry forms:
// public ones, both personas' reserved forms (the ente's and the staff's) and the workspace's cards.
type personaPages struct {
	who   string
	pages []string
}

// layoutSite starts a site with the demo personas and requests, an ente still to register and a
// pending registration, and returns the pages with forms per persona.
func layoutSite(t *testing.T) (*apptest.Server, []personaPages) {
	t.Helper()
	s := apptest.Start(t)
	seedPersonas(t, s, true)
	ctx := context.Background()
	if _, err := s.Enti.Import(ctx, []ente.Ente{{ISTAT: "013075", Name: "Como", Kind: ente.KindComune, Province: "CO"},
		{ISTAT: "097100", Name: "Provincia di Lecco", Kind: ente.KindProvincia, Province: "LC"}}); err != nil {
		t.Fatal(err)
	}
	como, err := s.Enti.ByISTAT(ctx, "013075")
	if err != nil {
		t.Fatal(err)
	}
	lecco, _ := s.Enti.ByISTAT(ctx, "097100")
	cantu, _ := s.Enti.ByISTAT(ctx, "013041")
	pres := persona(t, "presidente-provincia")
	u, _, err := s.Identity.Login(ctx, identityOf(pres.FiscalCode, pres.Name), identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := s.Enti.Register(ctx, ente.Actor{UserID: u.ID}, ente.RegistrationForm{EnteID: lecco.ID, Role: "presidente", Email: "p@provincia.it", PEC: "p@pec.it"}, "p.pdf", apptest.ProtocolFor(t, s.App, u.ID, lecco.ID))
	if err != nil {
		t.Fatal(err)
	}
	// a tender document of the Provincia di Lecco, approved
	doc, err := s.Tenders.Create(ctx, tender.Actor{Name: "test"}, tender.Form{Title: "Capitolato tipo per la manutenzione del verde pubblico",
		Kind: "capitolato", ProcedureType: "negoziata", Threshold: "sotto", AmountMax: "140000", LegalBasis: "art. 50, art. 76", AuthorEnteID: lecco.ID},
		tender.Upload{Name: "capitolato.pdf", Src: io.NewSectionReader(bytes.NewReader(extracttest.TextPDF("Verde pubblico")), 0, int64(len(extracttest.TextPDF("Verde pubblico"))))})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Tenders.Approve(ctx, tender.Actor{Name: "test"}, doc.ID); err != nil {
		t.Fatal(err)
	}
	tenderDoc := "/area-riservata/documenti-gara/" + strconv.FormatInt(doc.ID, 10)
	apptest.Idle(t, s.App)
	c := strconv.FormatInt(cantu.ID, 10)
	return s, []personaPages{
		{"", []string{"/", "/procedure", "/cerca?q=bonifica", "/contatti", "/accedi", "/accedi/staff"}},
		{"sindaco-nuovo", []string{"/area-riservata/registrazione?q=com", "/area-riservata/registrazione?ente=" + strconv.FormatInt(como.ID, 10)}},
		{"sindaco-registrato", []string{"/area-riservata", "/area-riservata/richieste/nuova", "/area-riservata/richieste", "/area-riservata/enti/" + c + "/delegati",
			"/area-riservata/notifiche/preferenze", "workspace", "/area-riservata/documenti-gara?q=verde&tipo=capitolato", tenderDoc}},
		{"pm", []string{"/area-riservata", "/area-riservata/triage", "workspace", "/area-riservata/analisi"}},
		{"esperto", []string{"/area-riservata", "workspace"}},
		{"admin", []string{"/admin/registrazioni/" + strconv.FormatInt(reg.ID, 10), "/admin/enti?q=can", "/admin/utenti", "/admin/audit",
			"/area-riservata/analisi", "/area-riservata/analisi/richieste?misura=filed"}},
		{"redattore", []string{"/redazione", "/redazione/contenuti", "/redazione/nuovo/procedure", "/redazione/contenuti/news/" + firstNews(t, s)}},
		{"caporedattore", []string{"/redazione/contenuti/page/privacy", "/area-riservata/documenti-gara/nuovo", tenderDoc}},
	}
}

// firstNews is the slug of a shipped news item.
func firstNews(t *testing.T, s *apptest.Server) string {
	t.Helper()
	l, err := s.Content.List(context.Background(), content.Query{Type: content.TypeNews, Limit: 1})
	if err != nil || len(l.Entries) == 0 {
		t.Fatalf("no news: %v", err)
	}
	return l.Entries[0].Slug
}

var requestPath = regexp.MustCompile(`^/area-riservata/richieste/\d+$`)

// visit opens p for the persona logged in on tb; "workspace" stands for the workspace of the
// first request the persona's list (or triage queue) links to.
func visit(t *testing.T, tb *tab, s *apptest.Server, who, p string) string {
	t.Helper()
	if p == "workspace" {
		list := "/area-riservata/richieste"
		if who == "pm" {
			list = "/area-riservata/triage"
		}
		tb.run(t, chromedp.Navigate(s.URL+list), chromedp.WaitReady(chromedp.CSS("footer#footer")))
		hrefs := eval[[]string](t, tb, `[...document.querySelectorAll('main a[href^="/area-riservata/richieste/"]')].map(a => a.getAttribute('href'))`)
		p = ""
		for _, h := range hrefs {
			if requestPath.MatchString(h) {
				p = h
				break
			}
		}
		if p == "" {
			t.Fatalf("%s: no request linked from %s", who, list)
		}
	}
	tb.run(t, chromedp.Navigate(s.URL+p), chromedp.WaitReady(chromedp.CSS("footer#footer")))
	return p
}

func loginPersona(t *testing.T, tb *tab, s *apptest.Server, who string) {
	t.Helper()
	if who == "" {
		return
	}
	p := persona(t, who)
	loginAs(t, tb, s, p.FiscalCode, p.Name)
}

// overlaps lists the visible labels whose box overlaps another visible heading, legend, label,
// field, button or hint of the page (a checkbox or radio drawn by its own label excepted). A box
// is what shows of the element: clipped by every ancestor that does not let its content overflow
// (a scrolling preview's text below its fold covers nothing).
const overlaps = `(() => {
  const box = el => {
    const r = el.getBoundingClientRect();
    let left = r.left, top = r.top, right = r.right, bottom = r.bottom;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const cs = getComputedStyle(p);
      if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
      const c = p.getBoundingClientRect();
      left = Math.max(left, c.left); top = Math.max(top, c.top); right = Math.min(right, c.right); bottom = Math.min(bottom, c.bottom);
    }
    return {left, top, right, bottom, width: right - left, height: bottom - top};
  };
  const visible = el => {
    const r = box(el);
    return r.width > 1 && r.height > 1 && el.checkVisibility({opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true}) && !el.closest('.visually-hidden, [aria-hidden="true"]');
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.htmlFor ? '[for=' + el.htmlFor + ']' : '') + ' "' + (el.textContent || el.value || '').trim().slice(0, 30) + '"';
  const others = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6,legend,label,input,select,textarea,button,.form-text,.invalid-feedback')].filter(visible);
  const out = [];
  for (const l of document.querySelectorAll('label')) {
    if (!visible(l)) continue;
    const a = box(l);
    for (const o of others) {
      if (o === l || o.contains(l) || l.contains(o)) continue;
      if (o.id && o.id === l.htmlFor && (o.type === 'checkbox' || o.type === 'radio')) continue;
      const b = box(o);
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) out.push(name(l) + ' overlaps ' + name(o));
    }
  }
  return out;
})()`

// TestFormLabelsDoNotOverlap visits every page with a form, public and reserved, for the ente's
// people and the staff, at desktop width and at 320 px: no label covers a heading, a field or
// another label. The new request form re-shown with its errors is checked too.
func TestFormLabelsDoNotOverlap(t *testing.T) {
	s, sets := layoutSite(t)
	tb := newTab(t)
	for _, set := range sets {
		loginPersona(t, tb, s, set.who)
		for _, width := range []int64{1280, 320} {
			tb.run(t, chromedp.EmulateViewport(width, 900))
			for _, p := range set.pages {
				t.Run(set.who+"/"+strconv.FormatInt(width, 10)+"/"+strings.TrimPrefix(p, "/"), func(t *testing.T) {
					visit(t, tb, s, set.who, p)
					for _, o := range eval[[]string](t, tb, overlaps) {
						t.Error(o)
					}
					if n := eval[int](t, tb, "document.querySelectorAll('input:not([type])').length"); n > 0 {
						t.Errorf("%d inputs without a type (no visible border)", n)
					}
				})
			}
			if set.who == "sindaco-registrato" {
				t.Run("errors/"+strconv.FormatInt(width, 10), func(t *testing.T) {
					tb.run(t, chromedp.Navigate(s.URL+"/area-riservata/richieste/nuova"),
						chromedp.Click(chromedp.CSS("form[action='/area-riservata/richieste/nuova'] button[type=submit]:not([name])")),
						chromedp.WaitReady(chromedp.CSS(".pass-error-summary")))
					for _, o := range eval[[]string](t, tb, overlaps) {
						t.Error(o)
					}
				})
			}
		}
		tb.run(t, chromedp.EmulateViewport(1280, 900))
	}
	tb.take()
}

// TestOverlapCheckCanFail proves the overlap check sees Bootstrap Italia's floating label: a
// form group placed right after a heading, with the theme's rule undone, is reported.
func TestOverlapCheckCanFail(t *testing.T) {
	s := apptest.Start(t)
	tb := newTab(t)
	tb.run(t, chromedp.Navigate(s.URL+"/guida"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
	eval[chromedp.Void](t, tb, `document.querySelector('main').insertAdjacentHTML('afterbegin',
	  '<h2 id="probe-h">Dati</h2><div class="form-group"><label for="probe" class="active">Titolo</label><input id="probe" type="text" class="form-control"></div>');
	  const l = document.querySelector('label[for=probe]'); l.style.position = 'absolute'; l.style.top = '0'; l.style.transform = 'translateY(-85%)'; 0`)
	found := strings.Join(eval[[]string](t, tb, overlaps), "\n")
	if !strings.Contains(found, "label[for=probe]") {
		t.Errorf("the floating label was not reported: %q", found)
	}
	// A heading below the fold of a scrolling box, where a label follows the box, covers nothing.
	eval[chromedp.Void](t, tb, `document.querySelector('#probe-h').remove(); document.querySelector('label[for=probe]').removeAttribute('style');
	  document.querySelector('main').insertAdjacentHTML('afterbegin',
	  '<div class="pass-live-preview-body" id="probe-box"><p>Testo</p><h2 id="probe-hidden">Nascosto</h2></div><div class="form-group"><label for="probe2" class="active">Altro</label><input id="probe2" type="text" class="form-control"></div>');
	  const b = document.getElementById('probe-box'); b.style.maxHeight = '2rem'; b.style.overflow = 'auto';
	  const h = document.getElementById('probe-hidden'); h.style.marginTop = '2rem'; h.style.height = '6rem'; 0`)
	if got := eval[bool](t, tb, `(() => { const h = document.getElementById('probe-hidden').getBoundingClientRect(), l = document.querySelector('label[for=probe2]').getBoundingClientRect(); return h.bottom > l.top; })()`); !got {
		t.Fatal("the probe's hidden heading does not reach the label: the probe proves nothing")
	}
	if found := strings.Join(eval[[]string](t, tb, overlaps), "\n"); strings.Contains(found, "probe2") || strings.Contains(found, "probe-hidden") {
		t.Errorf("a heading clipped by its scrolling box was reported: %q", found)
	}
}

// reflow reports what makes the page wider than the viewport, and whether a site search box is
// visible and inside it.
const reflow = `(() => {
  const se = document.scrollingElement, out = {wide: se.scrollWidth > se.clientWidth, width: se.scrollWidth, culprits: [], search: false, accountLines: 0};
  if (out.wide) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > se.clientWidth + 1 && el.checkVisibility()) out.culprits.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + [...el.classList].join('.'));
      if (out.culprits.length > 5) break;
    }
  }
  const account = document.querySelector('.pass-account');
  if (account) {
    const cs = getComputedStyle(account), lh = parseFloat(cs.lineHeight) || 1.2 * parseFloat(cs.fontSize);
    out.accountLines = Math.round(account.getBoundingClientRect().height / lh);
  }
  out.search = [...document.querySelectorAll('form[action="/cerca"] input[name="q"]')].some(i => {
    const r = i.getBoundingClientRect();
    return i.checkVisibility() && r.width >= 100 && r.left >= 0 && r.right <= se.clientWidth;
  });
  return out;
})()`

type reflowResult struct {
	Wide     bool
	Width    int
	Culprits []string
	Search   bool
	// AccountLines is the height of the account button in lines of its text.
	AccountLines int
}

// TestReflowAt320 opens public and reserved pages at 320 CSS pixels (a 1280 px screen at 400 %
// zoom): nothing scrolls sideways and the site search is on every page.
func TestReflowAt320(t *testing.T) {
	s, sets := layoutSite(t)
	tb := newTab(t)
	sets[0].pages = append(publicPages(t, s), "/accedi/staff")
	sets[2].pages = append(sets[2].pages, "/area-riservata/notifiche", "/area-riservata/sessioni")
	for _, set := range sets {
		loginPersona(t, tb, s, set.who)
		tb.run(t, chromedp.EmulateViewport(320, 800))
		for _, p := range set.pages {
			t.Run(set.who+"/"+strings.TrimPrefix(p, "/"), func(t *testing.T) {
				visit(t, tb, s, set.who, p)
				r := eval[reflowResult](t, tb, reflow)
				if r.Wide {
					t.Errorf("the page is %d px wide at 320: %v", r.Width, r.Culprits)
				}
				if !r.Search {
					t.Error("no visible site search")
				}
				if r.AccountLines == 0 || r.AccountLines > 2 { // one line of text within the button's padding
					t.Errorf("the account button wraps: %d lines high", r.AccountLines)
				}
			})
		}
	}
	tb.take()
}

// TestMainMenuWithoutJavaScript opens the main menu at 320 px with JavaScript off and follows
// one of its links.
func TestMainMenuWithoutJavaScript(t *testing.T) {
	s := apptest.Start(t)
	tb := newTab(t)
	tb.setScripts(t, false)
	tb.run(t, chromedp.EmulateViewport(320, 800), chromedp.Navigate(s.URL+"/?lang=it"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
	visibleLink := `[...document.querySelectorAll('header nav a[href="/guida"]')].some(a => a.checkVisibility() && a.getBoundingClientRect().width > 0)`
	if eval[bool](t, tb, visibleLink) {
		t.Fatal("the menu is open before it is asked for")
	}
	tb.run(t, chromedp.Click(chromedp.CSS(".pass-mobile-nav summary")))
	if !eval[bool](t, tb, visibleLink) {
		t.Fatal("the menu did not open without JavaScript")
	}
	tb.run(t, chromedp.Click(chromedp.CSS(`.pass-mobile-nav a[href="/guida"]`)), chromedp.WaitReady(chromedp.CSS("footer#footer")))
	if loc := eval[string](t, tb, "location.pathname"); loc != "/guida" {
		t.Errorf("landed on %s", loc)
	}
	tb.setScripts(t, true)
}

// contrast computes, for the first element matching a selector, the contrast ratio of its text
// colour on its own background colour (WCAG 2.1 relative luminance).
const contrast = `((sel) => {
  const el = document.querySelector(sel);
  if (!el) return 0;
  const rgb = s => s.match(/[\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const cs = getComputedStyle(el), a = lum(rgb(cs.color)), b = lum(rgb(cs.backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
})`

// TestClosedProceduresBadgeContrast: the catalogue's "Richieste non ancora aperte" badge reaches
// 4.5:1 (it was 2.39:1, a contrast axe leaves to manual review on badges).
func TestClosedProceduresBadgeContrast(t *testing.T) {
	s := apptest.Start(t)
	tb := newTab(t)
	tb.run(t, chromedp.Navigate(s.URL+"/procedure?lang=it"), chromedp.WaitReady(chromedp.CSS("footer#footer")))
	if !eval[bool](t, tb, `[...document.querySelectorAll('.badge')].some(b => b.textContent.includes('Richieste non ancora aperte'))`) {
		t.Fatal("no closed procedure in the catalogue")
	}
	eval[chromedp.Void](t, tb, `[...document.querySelectorAll('.badge')].find(b => b.textContent.includes('Richieste non ancora aperte')).id = 'closed-badge'; 0`)
	if r := eval[float64](t, tb, "("+contrast+")('#closed-badge')"); r < 4.5 {
		t.Errorf("contrast %.2f:1", r)
	}
}
