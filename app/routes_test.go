package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apptest"
)

// scenario is one request a visitor makes and what the answer must hold.
type scenario struct {
	name   string
	path   string
	header []string
	status int
	// selectors that must match at least once, and text that must appear in each's first match
	has map[string]string
	// text that must appear anywhere in the page's visible text
	text []string
}

func parse(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func run(t *testing.T, s *apptest.Server, cases []scenario) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, body := s.Get(t, c.path, c.header...)
			if res.StatusCode != c.status {
				t.Fatalf("GET %s = %d, want %d", c.path, res.StatusCode, c.status)
			}
			doc := parse(t, body)
			for sel, want := range c.has {
				m := doc.Find(sel)
				if m.Length() == 0 {
					t.Errorf("GET %s: no %q", c.path, sel)
					continue
				}
				if got := strings.Join(strings.Fields(m.First().Text()), " "); !strings.Contains(got, want) {
					t.Errorf("GET %s: %q says %q, want %q", c.path, sel, got, want)
				}
			}
			all := strings.Join(strings.Fields(doc.Find("body").Text()), " ")
			for _, want := range c.text {
				if !strings.Contains(all, want) {
					t.Errorf("GET %s: page lacks %q", c.path, want)
				}
			}
		})
	}
}

// TestPublicPages walks every public route as a visitor, in Italian and in English.
func TestPublicPages(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	it := []string{"Accept-Language", "it-IT,it;q=0.9"}
	en := []string{"Accept-Language", "en-GB,en;q=0.9"}
	common := map[string]string{"header.it-header-wrapper": "PAsS", "footer#footer": "Dichiarazione di accessibilità", "main#main": ""}
	with := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range common {
			out[k] = v
		}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	run(t, s, []scenario{
		{"home", "/", it, 200, with(map[string]string{"h1": "Gli esperti al servizio", "#tf-title": "Le sei Task Force", "#news-title": "Ultime notizie"}),
			[]string{"Valutazioni ambientali", "Rinnovabili", "Bonifiche", "Rifiuti", "Appalti", "Edilizia e urbanistica"}},
		{"home in English", "/", en, 200, map[string]string{"h1": "Experts at the service", "footer#footer": "Accessibility statement"}, nil},
		{"catalogue", "/procedure", it, 200, with(map[string]string{"h1": "Catalogo delle procedure", ".pass-count": "20 procedure trovate", "#filter-tf option[value=VA]": "Valutazioni"}), nil},
		{"catalogue by task force", "/procedure?tf=BON", it, 200, map[string]string{".pass-count": "3 procedure", "#tf-BON": "Bonifiche"}, nil},
		{"catalogue by words", "/procedure?q=paesaggistica", it, 200, map[string]string{".pass-count": "1 procedura trovata", ".pass-procedure-card h3": "paesaggistica"}, nil},
		{"catalogue with nothing found", "/procedure?q=zzzz", it, 200, map[string]string{".pass-count": "0 procedure"}, []string{"Nessuna procedura corrisponde"}},
		{"catalogue unknown task force shows all", "/procedure?tf=NOPE", it, 200, map[string]string{".pass-count": "20 procedure"}, nil},
		{"procedure sheet", "/procedure/via-valutazione-impatto-ambientale", it, 200,
			with(map[string]string{"h1": "impatto ambientale", ".pass-sheet": "VA-01", "nav.breadcrumb-container": "Valutazioni ambientali"}), []string{"Riferimenti normativi", "D.Lgs"}},
		{"procedure sheet in English", "/procedure/via-valutazione-impatto-ambientale", en, 200, map[string]string{"#sheet-summary": "At a glance", ".pass-prose[lang=it]": ""}, nil},
		{"task force", "/task-force/valutazioni-ambientali", it, 200, with(map[string]string{"h1": "Valutazioni ambientali"}), []string{"VA-01", "VA-04"}},
		{"guide index", "/guida", it, 200, with(map[string]string{"h1": "Mini-guida", ".pass-guide-list li:first-child": "PAsS"}), nil},
		{"guide page", "/guida/primo-accesso", it, 200, with(map[string]string{"h1": "", ".pass-sidebar": "Indice della mini-guida", ".pass-sidebar [aria-current=page]": ""}), []string{"SPID"}},
		{"news list", "/notizie", it, 200, with(map[string]string{"h1": "Notizie", "article time": ""}), nil},
		{"news article", "/notizie/al-via-la-piattaforma-pass", it, 200, with(map[string]string{"h1": "Al via", "time": ""}), nil},
		{"reports", "/report", it, 200, with(map[string]string{"h1": "Report di monitoraggio", ".pass-report-list h2": "Report di monitoraggio"}), nil},
		{"report", "/report/monitoraggio-2025-primo-semestre", it, 200, with(map[string]string{"#attachments-title": "Allegati", "a[download]": "Scarica", ".pass-prose table": ""}), nil},
		{"accessibility statement", "/pagine/accessibilita", it, 200, with(map[string]string{"h1": "accessibilità"}), []string{"WCAG"}},
		{"privacy", "/pagine/privacy", it, 200, with(map[string]string{"h1": "trattamento dei dati personali"}), nil},
		{"legal notes", "/pagine/note-legali", it, 200, with(map[string]string{"h1": "Note legali"}), nil},
		{"about", "/pagine/chi-siamo", it, 200, with(map[string]string{"h1": ""}), []string{"ANCI Lombardia"}},
		{"contact form", "/contatti", it, 200, with(map[string]string{"h1": "Contattaci", "form[action='/contatti'] input[name=_csrf]": "", "label[for=contact-email]": "Indirizzo e-mail"}), nil},
		{"search", "/cerca?q=bonifica", it, 200, with(map[string]string{"h1": "Cerca", "#search-status[role=status]": "risultati"}), nil},
		{"search empty", "/cerca", it, 200, nil, []string{"Scrivi una o più parole"}},
		{"search odd input", "/cerca?q=%22%27%3C%3E%3B--", it, 200, nil, []string{"Nessun risultato"}},
		{"missing page", "/non-esiste", it, 404, with(map[string]string{"h1": "Pagina non trovata"}), nil},
		{"missing page in English", "/non-esiste", en, 404, map[string]string{"h1": "Page not found"}, nil},
		{"missing procedure", "/procedure/non-esiste", it, 404, map[string]string{"h1": "Pagina non trovata"}, nil},
		{"missing news", "/notizie/non-esiste", it, 404, nil, nil},
		{"bad slug", "/guida/..%2F..%2Fetc", it, 404, nil, nil},
		{"news page out of range", "/notizie?pagina=999", it, 404, nil, nil},
	})
}

func TestLanguageSwitchIsRemembered(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	res, body := s.Get(t, "/procedure?lang=en", "Accept-Language", "it")
	if !strings.Contains(parse(t, body).Find("h1").Text(), "Catalogue") {
		t.Fatal("?lang=en did not switch to English")
	}
	var cookie string
	for _, c := range res.Cookies() {
		if c.Name == "lang" {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		t.Fatal("no lang cookie")
	}
	_, body = s.Get(t, "/guida", "Accept-Language", "it", "Cookie", cookie)
	doc := parse(t, body)
	if lang, _ := doc.Find("html").Attr("lang"); lang != "en" || !strings.Contains(doc.Find("h1").Text(), "Mini-guide") {
		t.Errorf("language not remembered: lang=%q h1=%q", lang, doc.Find("h1").Text())
	}
}

// TestCatalogueFragment checks that htmx gets the results alone, and a plain request the page.
func TestCatalogueFragment(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	_, body := s.Get(t, "/procedure?tf=RIF", "HX-Request", "true")
	if strings.Contains(body, "<html") || strings.Contains(body, "<header") {
		t.Fatal("htmx request got a whole page")
	}
	doc := parse(t, body)
	if doc.Find("#tf-RIF").Length() != 1 || doc.Find("#tf-VA").Length() != 0 {
		t.Errorf("fragment: %s", body)
	}
	_, body = s.Get(t, "/procedure?tf=RIF", "HX-Request", "true", "HX-History-Restore-Request", "true")
	if !strings.Contains(body, "<html") {
		t.Error("history restore did not get the whole page")
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	for _, p := range []string{"/", "/procedure", "/non-esiste", "/api/v1/catalogue"} {
		res, _ := s.Get(t, p)
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline code: %q", p, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", p, h)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS in dev mode", p)
		}
	}
}

// TestNoInlineCode checks that no page carries inline scripts, inline styles or hx-on handlers,
// which the CSP would block.
func TestNoInlineCode(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	for _, p := range []string{"/", "/procedure", "/procedure/via-valutazione-impatto-ambientale", "/guida/primo-accesso", "/notizie", "/report/monitoraggio-2025-primo-semestre", "/contatti", "/cerca?q=via", "/dati", "/dati/task-force/VA", "/dati/dataset/tempi", "/non-esiste"} {
		_, body := s.Get(t, p)
		doc := parse(t, body)
		doc.Find("script").Each(func(_ int, sel *goquery.Selection) {
			if _, ok := sel.Attr("src"); !ok {
				t.Errorf("%s: inline script", p)
			}
		})
		if n := doc.Find("style, [style]").Length(); n > 0 {
			t.Errorf("%s: %d inline styles", p, n)
		}
		if strings.Contains(body, "hx-on") || strings.Contains(body, " onclick=") {
			t.Errorf("%s: inline event handler", p)
		}
	}
}

func TestStaticAssets(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	_, body := s.Get(t, "/")
	href, ok := parse(t, body).Find(`link[rel=stylesheet][href*="css/pass.css"]`).Attr("href")
	if !ok {
		t.Fatal("no stylesheet link")
	}
	res, css := s.Get(t, href)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.Contains(css, "font-face") {
		t.Fatalf("GET %s = %d %q", href, res.StatusCode, res.Header.Get("Cache-Control"))
	}
	res, _ = s.Get(t, href, "If-None-Match", res.Header.Get("ETag"))
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation = %d", res.StatusCode)
	}
	stale := "/static/000000000000/" + strings.SplitN(strings.TrimPrefix(href, "/static/"), "/", 2)[1]
	res, _ = s.Get(t, stale)
	if res.StatusCode != 200 || strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("stale checksum: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	for _, p := range []string{"/static/x/static.go", "/static/x/../go.mod", "/static/x/vendor/none.js"} {
		if res, _ := s.Get(t, p); res.StatusCode != 404 {
			t.Errorf("GET %s = %d, want 404", p, res.StatusCode)
		}
	}
	_, body = s.Get(t, "/")
	src, _ := parse(t, body).Find(`script[src*="htmx.min.js"]`).Attr("src")
	if res, _ := s.Get(t, src); res.StatusCode != 200 {
		t.Errorf("htmx: %s = %d (did make assets run?)", src, res.StatusCode)
	}
}

func TestAttachmentDownload(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	_, body := s.Get(t, "/report/monitoraggio-2025-primo-semestre")
	href, ok := parse(t, body).Find("a[download]").Attr("href")
	if !ok {
		t.Fatal("no attachment link")
	}
	res, data := s.Get(t, href)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(data, ";") {
		t.Fatalf("GET %s = %d %v", href, res.StatusCode, res.Header)
	}
	if res, _ := s.Get(t, "/report/monitoraggio-2025-primo-semestre/allegati/passwd"); res.StatusCode != 404 {
		t.Errorf("missing attachment = %d", res.StatusCode)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	res, body := s.Get(t, "/healthz")
	if res.StatusCode != 200 || !strings.Contains(body, "ok") {
		t.Errorf("healthz = %d %s", res.StatusCode, body)
	}
	res, body = s.Get(t, "/readyz")
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	if err := json.Unmarshal([]byte(body), &ready); err != nil || res.StatusCode != 200 || ready.Checks["migrations"] != "current" {
		t.Errorf("readyz = %d %s", res.StatusCode, body)
	}
	s.Get(t, "/procedure")
	res, body = s.Get(t, "/metrics")
	if res.StatusCode != 200 || !strings.Contains(body, `passhub_http_requests_total{method="GET",route="/procedure",status="200"}`) {
		t.Errorf("metrics = %d, lacks the /procedure counter", res.StatusCode)
	}
}

// TestReadyzFailsWhenDatabaseIsGone closes the database under a running server.
func TestReadyzFailsWhenDatabaseIsGone(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	_ = s.DB.Close()
	res, body := s.Get(t, "/readyz")
	if res.StatusCode != 503 || !strings.Contains(body, "unreachable") {
		t.Errorf("readyz with the database closed = %d %s", res.StatusCode, body)
	}
}
