package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	"passhub/app/apptest"
	"passhub/app/content"
	"passhub/app/kb"
)

// messageID is a message id of the knowledge base shown as it is, untranslated.
var messageID = regexp.MustCompile(`\b(kb|nav|search\.type)\.[a-z_.-]+`)

// kbVotes counts the stored votes on the article slug, and those with a comment.
func kbVotes(t *testing.T, s *apptest.Server, slug string) (votes, comments int) {
	t.Helper()
	ctx := context.Background()
	q := func(comment bool) int {
		sel := s.DB.NewSelect().Table("kb_feedback").Join("JOIN entries AS e ON e.id = kb_feedback.entry_id").Where("e.slug = ?", slug).Where("e.type = ?", kb.Type)
		if comment {
			sel = sel.Where("kb_feedback.comment <> ''")
		}
		n, err := sel.Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	return q(false), q(true)
}

// TestKnowledgeBaseSeed: every shipped article parses, names a category of kb.Categories and
// only related articles that exist; an import of an article naming an unknown one reports it,
// and the newsroom refuses to publish one.
func TestKnowledgeBaseSeed(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob(filepath.Join(apptest.ContentDir(), "faq", "*.md"))
	if err != nil || len(paths) < 8 {
		t.Fatalf("%d shipped articles (%v), want at least 8", len(paths), err)
	}
	slugs := map[string]bool{}
	docs := map[string]*content.Document{}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		slug := strings.TrimSuffix(filepath.Base(p), ".md")
		d, err := content.Parse(kb.Type, slug, "faq/"+filepath.Base(p), raw)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		slugs[slug], docs[slug] = true, d
	}
	used := map[string]bool{}
	for slug, d := range docs {
		if !kb.ValidCategory(d.Front.Text("category")) {
			t.Errorf("%s: category %q", slug, d.Front.Text("category"))
		}
		used[d.Front.Text("category")] = true
		if len(d.Front.Tags) == 0 || strings.TrimSpace(d.Body) == "" {
			t.Errorf("%s: no tags or no body", slug)
		}
		rel, _ := d.Front.Value("related").([]string)
		for _, r := range rel {
			if !slugs[r] || r == slug {
				t.Errorf("%s: related %q is not another shipped article", slug, r)
			}
		}
	}
	if len(used) != len(kb.Categories) {
		t.Errorf("the shipped articles use %d of the %d categories", len(used), len(kb.Categories))
	}
	// Validated by the kinds of the fields.
	for _, tc := range []struct{ front, want string }{
		{"category: meteo\nkind: faq", `category "meteo" must be one of tecnica, amministrativa, spid-cie, pagopa, uso-piattaforma, normativa`},
		{"category: pagopa\nkind: tutorial", `kind "tutorial" must be one of faq, guida-operativa, novita-normativa`},
		{"category: pagopa\nkind: faq\nupdated: ieri", "is not a date"},
		{"kind: faq", `missing required key "category"`},
	} {
		_, err := content.Parse(kb.Type, "prova", "faq/prova.md", []byte("---\ntitle: Prova\nsummary: S.\n"+tc.front+"\n---\nTesto.\n"))
		var fe *content.FileError
		if !errors.As(err, &fe) || !strings.Contains(fe.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.front, err, tc.want)
		}
	}

	s := apptest.Start(t)
	ctx := context.Background()
	bad := t.TempDir()
	writeTree(t, bad, map[string]string{"faq/orfano.md": "---\ntitle: Orfano\nsummary: Rimanda a un articolo che non c'è.\ncategory: tecnica\nkind: faq\nrelated:\n  - non-esiste\n---\nTesto.\n"})
	rep, err := s.Content.Import(ctx, bad)
	if err != nil || len(rep.Errors) != 1 || rep.Errors[0].Path != "faq/orfano.md" || rep.Errors[0].Key != "related" {
		t.Errorf("an unknown related slug is not reported: %+v %v", rep, err)
	}
	// In the newsroom: a draft naming an unknown article is refused at publication.
	pub, err := s.Content.Published(ctx, kb.Type, "pagopa-riconciliazione")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := content.Lookup(kb.Type)
	fields := content.FormValues(def, &content.Document{Type: kb.Type, Slug: "pagopa-riconciliazione", Front: pub.Front, Body: pub.Markdown})
	fields["related"] = "pagopa-attivare-un-servizio\nnon-esiste-neanche"
	who := content.Actor{Name: "caporedattore", Publisher: true}
	_, rev, err := s.Content.SaveDraft(ctx, who, content.Draft{Type: kb.Type, Slug: "pagopa-riconciliazione", Base: pub.Entry.CurrentRevisionID, Fields: fields, Body: pub.Markdown})
	if err != nil {
		t.Fatal(err)
	}
	var refused *content.Refused
	if err := s.Content.Publish(ctx, who, kb.Type, "pagopa-riconciliazione", rev.ID); !errors.As(err, &refused) || refused.Key != "related" || refused.Rule != "unknown_related" {
		t.Errorf("publication with an unknown related article: %v", err)
	}
	if p, _ := s.Content.Published(ctx, kb.Type, "pagopa-riconciliazione"); p == nil || p.RevisionID != pub.RevisionID {
		t.Error("the refused revision went live")
	}
	// The draft's preview link shows it with the article's template, without the vote.
	link, _, err := s.Previews.Create(ctx, kb.Type, "pagopa-riconciliazione", rev.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	res, body := s.Get(t, link, "Accept-Language", "it")
	if doc := parse(t, body); res.StatusCode != 200 || !strings.Contains(doc.Find(".pass-kb-meta").Text(), "pagoPA") || doc.Find("#kb-vote").Length() != 0 {
		t.Errorf("preview: %d %.300s", res.StatusCode, doc.Find("main").Text())
	}
}

// TestKnowledgeBaseIndex: /faq lists the articles by category with their counts, filters by
// category and tag, and pages past 20 articles.
func TestKnowledgeBaseIndex(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ix, err := s.KB.Index(context.Background(), kb.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	all := ix.Total
	for _, c := range []struct {
		name, path, lang string
		status           int
		h1               string
		groups           []string // the categories shown, in order
		count            string   // a category's heading holds this count
		has, lacks       []string // article links shown, not shown
	}{
		{name: "all", path: "/faq", lang: "it", status: 200, h1: "Domande frequenti",
			groups: []string{"tecnica", "amministrativa", "spid-cie", "pagopa", "uso-piattaforma", "normativa"}, count: "pagopa:(2 articoli)",
			has: []string{"/faq/pagopa-riconciliazione", "/faq/accesso-spid-cie-personale"}},
		{name: "one article in a category", path: "/faq", lang: "it", status: 200, count: "tecnica:(1 articolo)"},
		{name: "category", path: "/faq?categoria=pagopa", lang: "it", status: 200, h1: "Domande frequenti: pagoPA", groups: []string{"pagopa"},
			has: []string{"/faq/pagopa-riconciliazione", "/faq/pagopa-attivare-un-servizio"}, lacks: []string{"/faq/accesso-spid-cie-personale"}},
		{name: "category in English", path: "/faq?categoria=spid-cie", lang: "en", status: 200, h1: "Frequently asked questions: SPID and CIE",
			groups: []string{"spid-cie"}, count: "spid-cie:(1 article)"},
		{name: "tag", path: "/faq?tag=accesso", lang: "it", status: 200, groups: []string{"tecnica", "spid-cie", "uso-piattaforma"},
			has: []string{"/faq/problemi-di-accesso", "/faq/delegare-un-collega"}, lacks: []string{"/faq/pagopa-riconciliazione"}},
		{name: "tag and category", path: "/faq?tag=scadenze&categoria=normativa", lang: "it", status: 200, groups: []string{"normativa"},
			has: []string{"/faq/dichiarazione-di-accessibilita"}, lacks: []string{"/faq/trovare-i-bandi"}},
		{name: "unknown tag", path: "/faq?tag=nessuno", lang: "it", status: 200},
		{name: "odd tag", path: "/faq?tag=%3Cscript%3E", lang: "it", status: 200},
		{name: "unknown category", path: "/faq?categoria=meteo", lang: "it", status: 404},
		{name: "page past the last", path: "/faq?pagina=2", lang: "it", status: 404},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, body := s.Get(t, c.path, "Accept-Language", c.lang)
			if res.StatusCode != c.status {
				t.Fatalf("%s: %d, want %d", c.path, res.StatusCode, c.status)
			}
			if c.status != 200 {
				return
			}
			doc := parse(t, body)
			if m := messageID.FindString(doc.Find("body").Text()); m != "" {
				t.Errorf("message id %q shown", m)
			}
			if c.h1 != "" && strings.TrimSpace(doc.Find("h1").Text()) != c.h1 {
				t.Errorf("h1 %q, want %q", doc.Find("h1").Text(), c.h1)
			}
			var groups []string
			doc.Find("section.pass-kb-group").Each(func(_ int, g *goquery.Selection) {
				groups = append(groups, strings.TrimPrefix(g.AttrOr("aria-labelledby", ""), "kb-cat-"))
			})
			if c.groups != nil && strings.Join(groups, " ") != strings.Join(c.groups, " ") {
				t.Errorf("groups %v, want %v", groups, c.groups)
			}
			if c.groups == nil && strings.Contains(c.path, "tag=") && len(groups) != 0 {
				t.Errorf("groups %v for a tag no article carries", groups)
			}
			if cat, n, ok := strings.Cut(c.count, ":"); ok {
				if got := doc.Find("#kb-cat-" + cat).Text(); !strings.Contains(got, n) {
					t.Errorf("heading of %s %q, want %q", cat, got, n)
				}
			}
			for _, h := range c.has {
				if doc.Find(`.pass-kb-list a[href="`+h+`"]`).Length() != 1 {
					t.Errorf("no link to %s", h)
				}
			}
			for _, h := range c.lacks {
				if doc.Find(`.pass-kb-list a[href="`+h+`"]`).Length() != 0 {
					t.Errorf("link to %s", h)
				}
			}
			// The box searches the knowledge base only.
			if doc.Find(`form[action="/cerca"] input[type=hidden][name=tipo][value=faq]`).Length() != 1 {
				t.Error("no search box scoped to the knowledge base")
			}
		})
	}
	if all < 8 || !strings.Contains(parse(t, func() string { _, b := s.Get(t, "/faq", "Accept-Language", "it"); return b }()).Find("#kb-total").Text(), fmt.Sprint(all)) {
		t.Errorf("total %d not shown", all)
	}
	// Past 20 articles, the index pages.
	more := t.TempDir()
	files := map[string]string{}
	for i := range 15 {
		files[fmt.Sprintf("faq/domanda-tecnica-%02d.md", i)] = fmt.Sprintf("---\ntitle: Domanda tecnica %02d\nsummary: Una prova.\ncategory: tecnica\nkind: faq\ntags:\n  - prova\n---\nTesto.\n", i)
	}
	writeTree(t, more, files)
	if rep, err := s.Content.Import(context.Background(), more); err != nil || len(rep.Errors) > 0 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	_, body := s.Get(t, "/faq", "Accept-Language", "it")
	doc := parse(t, body)
	if n := doc.Find(".pass-kb-item").Length(); n != kb.PageSize {
		t.Errorf("page 1 lists %d articles, want %d", n, kb.PageSize)
	}
	if !strings.Contains(doc.Find("#kb-cat-tecnica").Text(), "(16 articoli)") {
		t.Errorf("tecnica heading %q", doc.Find("#kb-cat-tecnica").Text())
	}
	next, _ := doc.Find(`a[rel=next]`).Attr("href")
	res, body := s.Get(t, next, "Accept-Language", "it")
	if res.StatusCode != 200 || parse(t, body).Find(".pass-kb-item").Length() != all+15-kb.PageSize {
		t.Errorf("page 2 (%s): %d, %d articles", next, res.StatusCode, parse(t, body).Find(".pass-kb-item").Length())
	}
	if res, body := s.Get(t, "/faq?tag=prova&pagina=1", "Accept-Language", "it"); res.StatusCode != 200 || parse(t, body).Find(`a[rel=next]`).Length() != 0 {
		t.Errorf("the tag's single page: %d", res.StatusCode)
	}
}

// TestKnowledgeBaseArticle: an article shows its category, kind and tags linking back to the
// index, its related articles (its list, then others of its category up to three), and the vote.
func TestKnowledgeBaseArticle(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	for _, c := range []struct {
		slug, lang, category string
		related              []string
		tags                 []string
	}{
		{"accesso-spid-cie-personale", "it", "SPID e CIE", []string{"/faq/delegare-un-collega", "/faq/problemi-di-accesso"}, []string{"accesso", "spid", "cie"}},
		// one named, one more of its category
		{"trovare-i-bandi", "it", "Questioni amministrative", []string{"/faq/codice-contratti-digitalizzazione", "/faq/protocollo-di-collaborazione"}, []string{"bandi"}},
		{"pagopa-riconciliazione", "en", "pagoPA", []string{"/faq/pagopa-attivare-un-servizio"}, []string{"pagopa"}},
	} {
		t.Run(c.slug, func(t *testing.T) {
			res, body := s.Get(t, "/faq/"+c.slug, "Accept-Language", c.lang)
			if res.StatusCode != 200 {
				t.Fatalf("%d", res.StatusCode)
			}
			if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("Cache-Control %q: the page carries the browser's token", cc)
			}
			doc := parse(t, body)
			if m := messageID.FindString(doc.Find("body").Text()); m != "" {
				t.Errorf("message id %q shown", m)
			}
			meta := doc.Find(".pass-kb-meta")
			if a := meta.Find(`a[href^="/faq?categoria="]`); strings.TrimSpace(a.Text()) != c.category {
				t.Errorf("category %q, want %q", a.Text(), c.category)
			}
			var rel []string
			doc.Find(".pass-kb-related a").Each(func(_ int, a *goquery.Selection) { rel = append(rel, a.AttrOr("href", "")) })
			if strings.Join(rel, " ") != strings.Join(c.related, " ") {
				t.Errorf("related %v, want %v", rel, c.related)
			}
			for _, tag := range c.tags {
				if doc.Find(`.pass-tags a[href="/faq?tag=`+tag+`"]`).Length() != 1 {
					t.Errorf("no link of tag %s", tag)
				}
			}
			form := doc.Find(`#kb-vote form[action="/faq/` + c.slug + `/utile"][method=post]`)
			if form.Length() != 1 || form.Find(`input[name=_csrf]`).AttrOr("value", "") == "" || form.Find(`input[type=radio][name=utile]`).Length() != 2 ||
				form.Find(`textarea[name=commento][maxlength="500"]`).Length() != 1 {
				t.Errorf("vote form: %s", goquery.NewDocumentFromNode(doc.Find("#kb-vote").Get(0)).Text())
			}
			crumbs := doc.Find(".breadcrumb a")
			if crumbs.Eq(1).AttrOr("href", "") != "/faq" || !strings.HasPrefix(crumbs.Eq(2).AttrOr("href", ""), "/faq?categoria=") {
				t.Errorf("breadcrumb %q", crumbs.Text())
			}
		})
	}
	if res, _ := s.Get(t, "/faq/non-esiste"); res.StatusCode != 404 {
		t.Errorf("missing article: %d", res.StatusCode)
	}
}

// TestKnowledgeBaseVote: one vote per article and browser, stored once; bad answers are 422 with
// a message and store nothing; a missing CSRF token is refused; with htmx the box is swapped for
// the thanks, without the browser goes back to the article with a flash message.
func TestKnowledgeBaseVote(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	const slug = "pagopa-riconciliazione"
	path := "/faq/" + slug + "/utile"
	csrf := "csrf=" + apptest.CSRFToken
	post := func(t *testing.T, form url.Values, header ...string) (*http.Response, string) {
		t.Helper()
		return s.PostForm(t, path, form, header...)
	}
	withToken := func(v url.Values) url.Values { v.Set("_csrf", apptest.CSRFToken); return v }
	long := strings.Repeat("à", kb.MaxComment+1)
	for _, c := range []struct {
		name     string
		form     url.Values
		header   []string
		status   int
		text     string // the answer holds it
		votes    int    // stored after it
		comments int
	}{
		{"no token", url.Values{"utile": {"si"}}, []string{"Cookie", csrf}, 403, "", 0, 0},
		{"no choice", withToken(url.Values{"commento": {"boh"}}), []string{"Cookie", csrf, "Accept-Language", "it"}, 422, "Scegli «Sì» o «No».", 0, 0},
		{"odd choice", withToken(url.Values{"utile": {"forse"}}), []string{"Cookie", csrf, "Accept-Language", "en"}, 422, "Choose “Yes” or “No”.", 0, 0},
		{"long comment", withToken(url.Values{"utile": {"no"}, "commento": {long}}), []string{"Cookie", csrf, "Accept-Language", "it"}, 422,
			"Il commento può essere lungo al massimo 500 caratteri.", 0, 0},
		{"long comment with htmx", withToken(url.Values{"utile": {"no"}, "commento": {long}}), []string{"Cookie", csrf, "HX-Request", "true", "Accept-Language", "it"}, 422,
			"Il commento può essere lungo al massimo 500 caratteri.", 0, 0},
		{"no, with a comment", withToken(url.Values{"utile": {"no"}, "commento": {"Manca un esempio di flusso."}}), []string{"Cookie", csrf + "; kb_voter=AAAAAAAAAAAAAAAAAAAAAA"}, 303, "", 1, 1},
		{"the same browser again", withToken(url.Values{"utile": {"si"}}), []string{"Cookie", csrf + "; kb_voter=AAAAAAAAAAAAAAAAAAAAAA"}, 303, "", 1, 1},
		{"yes with htmx, the comment dropped", withToken(url.Values{"utile": {"si"}, "commento": {"Ottimo"}}), []string{"Cookie", csrf, "HX-Request", "true", "Accept-Language", "it"}, 200,
			"Grazie, la tua risposta è stata registrata", 2, 1},
		{"unknown article", withToken(url.Values{"utile": {"si"}}), []string{"Cookie", csrf}, 404, "", 2, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := path
			if c.name == "unknown article" {
				p = "/faq/non-esiste/utile"
			}
			res, body := s.PostForm(t, p, c.form, c.header...)
			if res.StatusCode != c.status {
				t.Fatalf("%d, want %d: %.300s", res.StatusCode, c.status, body)
			}
			if c.text != "" && !strings.Contains(body, c.text) {
				t.Errorf("the answer lacks %q: %.500s", c.text, body)
			}
			if c.status == 422 && !strings.Contains(body, `aria-invalid="true"`) && !strings.Contains(body, `kb-choice-error`) {
				t.Error("the field is not marked")
			}
			if c.status == 303 {
				if loc := res.Header.Get("Location"); loc != "/faq/"+slug+"#kb-vote" {
					t.Errorf("Location %q", loc)
				}
			}
			if c.name == "yes with htmx, the comment dropped" {
				if parse(t, body).Find("form").Length() != 0 || !strings.Contains(res.Header.Get("Set-Cookie"), "kb_voter=") {
					t.Errorf("fragment %q, cookie %q", body, res.Header.Get("Set-Cookie"))
				}
			}
			if v, cm := kbVotes(t, s, slug); v != c.votes || cm != c.comments {
				t.Errorf("%d votes, %d comments stored, want %d, %d", v, cm, c.votes, c.comments)
			}
		})
	}
	_ = post
	// Votes are rate limited per client address: past the limit, 429 and nothing stored.
	lim := fiber.New()
	h := kb.NewHandlers(s.Web, s.KB, s.Content)
	h.Limit = 2
	h.Mount(lim)
	before, _ := kbVotes(t, s, "problemi-di-accesso")
	for i, want := range []int{303, 303, 429} {
		req := httptest.NewRequest("POST", "/faq/problemi-di-accesso/utile", strings.NewReader("utile=si"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", fmt.Sprintf("kb_voter=limit%017d", i))
		res, err := lim.Test(req, 10000)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != want {
			t.Errorf("vote %d: %d, want %d", i, res.StatusCode, want)
		}
		if want == 429 {
			b, _ := io.ReadAll(res.Body)
			if !strings.Contains(string(b), "troppe risposte") {
				t.Errorf("429 page: %.300s", b)
			}
		}
	}
	if after, _ := kbVotes(t, s, "problemi-di-accesso"); after != before+2 {
		t.Errorf("%d votes stored past the limit, want %d", after, before+2)
	}
	// Without JavaScript: the redirect's page shows the thanks once, and the box says it voted.
	res, _ := s.PostForm(t, "/faq/trovare-i-bandi/utile", withToken(url.Values{"utile": {"si"}}), "Cookie", csrf)
	var voter, flash string
	for _, ck := range res.Cookies() {
		switch ck.Name {
		case kb.VoterCookie:
			voter = ck.Value
			if !ck.HttpOnly || ck.Path != "/faq" || ck.MaxAge <= 0 {
				t.Errorf("voter cookie %+v", ck)
			}
		case "flash":
			flash = ck.Value
		}
	}
	if res.StatusCode != 303 || voter == "" || flash == "" {
		t.Fatalf("%d, voter %q, flash %q", res.StatusCode, voter, flash)
	}
	_, body := s.Get(t, "/faq/trovare-i-bandi", "Cookie", csrf+"; kb_voter="+voter+"; flash="+flash, "Accept-Language", "it")
	doc := parse(t, body)
	if !strings.Contains(doc.Find("#flash").Text(), "Grazie") || doc.Find("#kb-vote form").Length() != 0 || !strings.Contains(doc.Find("#kb-vote").Text(), "Grazie") {
		t.Errorf("after the vote: flash %q, box %q", doc.Find("#flash").Text(), doc.Find("#kb-vote").Text())
	}
	// Another article still asks this browser.
	if _, body := s.Get(t, "/faq/pagopa-attivare-un-servizio", "Cookie", "kb_voter="+voter); parse(t, body).Find("#kb-vote form").Length() != 1 {
		t.Error("one vote hid the form of another article")
	}
	// What is stored of the browser is the cookie's hash, never the cookie itself.
	var stored []string
	if err := s.DB.NewSelect().Table("kb_feedback").Column("voter").Scan(context.Background(), &stored); err != nil {
		t.Fatal(err)
	}
	for _, v := range stored {
		if v == voter || len(v) != 64 {
			t.Errorf("voter stored as %q", v)
		}
	}
}

// TestKnowledgeBaseFigures: the editors' figures page is the newsroom's: refused to anonymous
// visitors, the enti's people and the experts, shown to editors, publishers and admins with each
// article's answers and latest comments.
func TestKnowledgeBaseFigures(t *testing.T) {
	t.Parallel()
	w := buildWorld(t)
	csrf := "csrf=" + apptest.CSRFToken
	for i, v := range []url.Values{{"utile": {"no"}, "commento": {"Non spiega il giornale di cassa."}}, {"utile": {"si"}}, {"utile": {"si"}}} {
		v.Set("_csrf", apptest.CSRFToken)
		res, _ := w.s.PostForm(t, "/faq/pagopa-riconciliazione/utile", v, "Cookie", fmt.Sprintf("%s; kb_voter=voter%017d", csrf, i))
		if res.StatusCode != 303 {
			t.Fatalf("vote %d: %d", i, res.StatusCode)
		}
	}
	// The reserved area's entry points of assistance lead to the knowledge base.
	for p, sel := range map[string]string{"/area-riservata/richieste/nuova": ".pass-kb-hint", "/area-riservata": ".pass-dashboard"} {
		_, body := w.s.Get(t, p, "Cookie", w.cookies["legal rep A"], "Accept-Language", "it")
		if parse(t, body).Find(sel+` a[href="/faq"]`).Length() != 1 {
			t.Errorf("%s does not link the knowledge base", p)
		}
	}
	_, home := w.s.Get(t, "/area-riservata", "Cookie", w.cookies["editor"], "Accept-Language", "it")
	if parse(t, home).Find(`a[href="`+kb.FiguresPath+`"]`).Length() == 0 {
		t.Error("the editor's reserved home does not link the figures")
	}
	// The newsroom writes the type with its own fields.
	_, body := w.s.Get(t, "/redazione/nuovo/faq", "Cookie", w.cookies["editor"], "Accept-Language", "it")
	form := parse(t, body)
	if form.Find(`select[name=category] option`).Length() < len(kb.Categories) || form.Find(`select[name=kind]`).Length() != 1 ||
		form.Find(`textarea[name=related]`).Length() != 1 || form.Find(`input[name=updated]`).Length() != 1 || !strings.Contains(form.Find("label").Text(), "Articoli correlati") {
		t.Errorf("the newsroom's form of a faq article: %s", form.Find("form").Text())
	}
	if res, body := w.s.Get(t, "/redazione/contenuti/faq/pagopa-riconciliazione", "Cookie", w.cookies["editor"]); res.StatusCode != 200 || !strings.Contains(body, "riconciliare") {
		t.Errorf("the newsroom's page of a faq article: %d", res.StatusCode)
	}
	for who, want := range map[string]int{"anonymous": 303, "legal rep A": 403, "delegate A": 403, "expert": 403, "pm": 403, "editor": 200, "publisher": 200, "admin": 200} {
		t.Run(who, func(t *testing.T) {
			res, body := w.s.Get(t, kb.FiguresPath, "Cookie", w.cookies[who], "Accept-Language", "it")
			if res.StatusCode != want {
				t.Fatalf("%d, want %d", res.StatusCode, want)
			}
			if want != 200 {
				if strings.Contains(body, "giornale di cassa") {
					t.Error("a comment shown to someone refused")
				}
				return
			}
			if m := messageID.FindString(parse(t, body).Find("body").Text()); m != "" {
				t.Errorf("message id %q shown", m)
			}
			row := parse(t, body).Find("#kb-fig-pagopa-riconciliazione")
			cells := row.Find("td")
			if cells.Eq(0).Text() != "2" || cells.Eq(1).Text() != "1" || cells.Eq(2).Text() != "67%" || !strings.Contains(row.Text(), "Non spiega il giornale di cassa.") {
				t.Errorf("row %q", row.Text())
			}
			if !strings.Contains(parse(t, body).Find("#kb-figures-total").Text(), "3 risposte in tutto: 2 sì, 1 no.") {
				t.Errorf("total %q", parse(t, body).Find("#kb-figures-total").Text())
			}
		})
	}
}

// TestKnowledgeBaseSearch: the site search, scoped to the knowledge base, finds an article by a
// misspelt Italian word, and labels it as a frequent question.
func TestKnowledgeBaseSearch(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	for q, want := range map[string]string{
		"riconciliazone":              "/faq/pagopa-riconciliazione",
		"accessibilta":                "/faq/dichiarazione-di-accessibilita",
		"delegato":                    "/faq/delegare-un-collega",
		"approvvigionamento digitale": "/faq/codice-contratti-digitalizzazione",
	} {
		_, body := s.Get(t, "/cerca?tipo=faq&q="+url.QueryEscape(q), "Accept-Language", "it")
		doc := parse(t, body)
		if doc.Find(`li.pass-hit a[href="`+want+`"]`).Length() != 1 {
			t.Errorf("%q: %s not found in %q", q, want, doc.Find("#search-results").Text())
		}
		doc.Find("li.pass-hit .badge").Each(func(_ int, b *goquery.Selection) {
			if strings.TrimSpace(b.Text()) != "Domanda frequente" {
				t.Errorf("%q: a hit of type %q", q, b.Text())
			}
		})
	}
}
