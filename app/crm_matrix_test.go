package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/crm"
	"passhub/app/ente"
	"passhub/app/request"
	"passhub/app/territory"
)

// crmPersonas are the personas of the territorial scope, in the order crmWorld's rows list them:
// the staff of province A (its legal representative and a delegate), the staff of province B, a
// delegate of a comune province A follows (Cantù), a delegate of a comune nobody follows (Milano),
// a PM, an expert, an admin.
var crmPersonas = []string{"anonymous", "province A", "province A delegate", "province B", "delegate A", "delegate B", "pm", "expert", "admin"}

type crmWorld struct {
	*matrixWorld
	provinceA, provinceB int64
	cantu, treviglio     int64 // Cantù followed by A, Treviglio by B
	milano               int64 // followed by nobody
	userIDs              map[string]int64
}

// buildCRMWorld adds to the access matrix's world two provinces and their comuni: Provincia di
// Como (A) follows Cantù, Provincia di Bergamo (B) follows Treviglio; nobody follows Milano.
func buildCRMWorld(t *testing.T, opts ...apptest.Option) *crmWorld {
	t.Helper()
	w := &crmWorld{matrixWorld: buildWorld(t, opts...), userIDs: map[string]int64{}}
	s, ctx := w.s, context.Background()
	if _, err := s.Enti.Import(ctx, []ente.Ente{
		{ISTAT: "013", Name: "Provincia di Como", Kind: ente.KindProvincia, Province: "CO"},
		{ISTAT: "016", Name: "Provincia di Bergamo", Kind: ente.KindProvincia, Province: "BG"},
		{ISTAT: "016219", Name: "Treviglio", Kind: ente.KindComune, Province: "BG"},
	}); err != nil {
		t.Fatal(err)
	}
	id := func(istat string) int64 {
		e, err := s.Enti.ByISTAT(ctx, istat)
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	w.provinceA, w.provinceB, w.cantu, w.treviglio, w.milano = id("013"), id("016"), id("013041"), id("016219"), id("015146")
	for p, first15 := range map[string]string{"province A": "PRVCMO70A01F205", "province B": "PRVBRG70A01F205", "province A delegate": "DLGCMO75A01F205"} {
		w.codes[p] = apptest.FiscalCode(first15)
		w.cookies[p] = s.Login(t, w.codes[p], strings.Fields(p)[1], "Provincia")
		w.userIDs[p] = userOf(t, s, w.cookies[p])
	}
	for p, e := range map[string]int64{"province A": w.provinceA, "province B": w.provinceB} {
		reg, err := s.Enti.Register(ctx, ente.Actor{UserID: w.userIDs[p]}, ente.RegistrationForm{EnteID: e, Role: ente.RolePresidente,
			Email: "presidenza@provincia.it", PEC: "provincia@pec.it"}, "p.pdf", apptest.ProtocolFor(t, s.App, w.userIDs[p], e))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Enti.Approve(ctx, ente.Actor{UserID: w.adminID}, reg.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Enti.Invite(ctx, ente.Actor{UserID: w.userIDs["province A"]}, w.provinceA, w.codes["province A delegate"], "d@provincia.it"); err != nil {
		t.Fatal(err)
	}
	w.cookies["province A delegate"] = s.Login(t, w.codes["province A delegate"], "delegato", "Provincia") // accepts the invitation
	for _, f := range [][2]int64{{w.provinceA, w.cantu}, {w.provinceB, w.treviglio}} {
		if _, err := s.Territory.Follow(ctx, f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"delegate A", "delegate B", "pm", "expert", "admin"} {
		w.userIDs[p] = userOf(t, s, w.cookies[p])
	}
	return w
}

// TestCRMAccessMatrix: a province's staff see and manage its comuni's records alone; the staff of
// another province, the comuni themselves, PMs and experts get a 404 that tells nothing, not even
// that the record exists; a comune nobody follows has no record, for admins either. A CRM route
// missing from this table fails the test.
func TestCRMAccessMatrix(t *testing.T) {
	w := buildCRMWorld(t)
	s, ctx := w.s, context.Background()
	who := crm.Actor{UserID: w.userIDs["province B"], Name: "B"}
	bContact, err := s.CRM.AddContact(ctx, who, w.treviglio, crm.ContactForm{Name: "Ufficio tecnico", Phone: "0363 1234567"})
	if err != nil {
		t.Fatal(err)
	}
	aFollow, err := s.CRM.LogInteraction(ctx, crm.Actor{UserID: w.userIDs["province A"], Name: "A"}, w.cantu,
		crm.InteractionForm{Kind: crm.KindCall, HappenedOn: s.CRM.Today().Format("2006-01-02"), Summary: "Telefonata sul fascicolo digitale", FollowUpOn: s.CRM.Today().Format("2006-01-02")})
	if err != nil {
		t.Fatal(err)
	}
	bFollow, err := s.CRM.LogInteraction(ctx, who, w.treviglio,
		crm.InteractionForm{Kind: crm.KindMeeting, HappenedOn: "2026-01-10", Summary: "Incontro con la giunta di Treviglio", FollowUpOn: "2026-02-01"})
	if err != nil {
		t.Fatal(err)
	}
	rec := func(id int64) string { return "/area-riservata/crm/" + strconv.FormatInt(id, 10) }
	cantu, treviglio, milano := rec(w.cantu), rec(w.treviglio), rec(w.milano)
	const (
		list   = "303 200 200 200 403 403 403 403 200"
		ofA    = "303 200 200 404 404 404 404 404 200"
		ofB    = "303 404 404 200 404 404 404 404 200"
		nobody = "303 404 404 404 404 404 404 404 404"
		admins = "303 403 403 403 403 403 403 403 200"
	)
	post := func(get, allowed string) string {
		f := strings.Fields(get)
		f[0] = "401"
		for i := range f {
			if f[i] == "200" {
				f[i] = allowed
			}
		}
		return strings.Join(f, " ")
	}
	secrets := func(path, p string) []string {
		var out []string
		switch {
		case strings.HasPrefix(path, cantu+"/") || path == cantu:
			if p != "delegate A" {
				out = append(out, "Cantù")
			}
			if !strings.HasPrefix(p, "province A") {
				out = append(out, "Provincia di Como")
			}
		case strings.HasPrefix(path, treviglio+"/") || path == treviglio:
			out = append(out, "Treviglio")
			if p != "province B" {
				out = append(out, "Provincia di Bergamo")
			}
		}
		return out
	}
	bad := url.Values{"name": {""}, "kind": {"nope"}, "title": {""}}
	matrix := []struct {
		method, route, path string
		form                url.Values
		want                string
	}{
		{"GET", "/area-riservata/crm", "/area-riservata/crm", nil, list},
		{"GET", "/area-riservata/crm/elenco.:format", "/area-riservata/crm/elenco.csv", nil, list},
		{"GET", "/area-riservata/crm/elenco.:format", "/area-riservata/crm/elenco.xlsx?richiami=1", nil, list},
		{"GET", "/area-riservata/crm/elenco.:format", "/area-riservata/crm/elenco.pdf", nil, "303 404 404 404 403 403 403 403 404"},
		{"GET", "/area-riservata/crm/:comune", cantu, nil, ofA},
		{"GET", "/area-riservata/crm/:comune", treviglio, nil, ofB},
		{"GET", "/area-riservata/crm/:comune", milano, nil, nobody},
		{"GET", "/area-riservata/crm/:comune", rec(w.provinceA), nil, nobody}, // a province is no comune
		{"GET", "/area-riservata/crm/:comune", "/area-riservata/crm/nope", nil, nobody},
		{"GET", "/area-riservata/crm/:comune/scheda.:format", cantu + "/scheda.csv", nil, ofA},
		{"GET", "/area-riservata/crm/:comune/scheda.:format", treviglio + "/scheda.xlsx", nil, ofB},
		{"GET", "/area-riservata/crm/:comune/scheda.:format", milano + "/scheda.xlsx", nil, nobody},
		{"POST", "/area-riservata/crm/:comune/contatti", cantu + "/contatti", bad, post(ofA, "422")},
		{"POST", "/area-riservata/crm/:comune/contatti", treviglio + "/contatti", bad, post(ofB, "422")},
		{"POST", "/area-riservata/crm/:comune/contatti", milano + "/contatti", bad, post(nobody, "")},
		{"POST", "/area-riservata/crm/:comune/interazioni", cantu + "/interazioni", bad, post(ofA, "422")},
		{"POST", "/area-riservata/crm/:comune/interazioni", treviglio + "/interazioni", bad, post(ofB, "422")},
		{"POST", "/area-riservata/crm/:comune/convenzioni", cantu + "/convenzioni", bad, post(ofA, "422")},
		{"POST", "/area-riservata/crm/:comune/convenzioni", treviglio + "/convenzioni", bad, post(ofB, "422")},
		// a row of another record, through a record one may open, is not found
		{"POST", "/area-riservata/crm/:comune/contatti/:id/elimina", cantu + "/contatti/" + strconv.FormatInt(bContact.ID, 10) + "/elimina", nil, post(ofA, "404")},
		{"POST", "/area-riservata/crm/:comune/interazioni/:id/fatto", cantu + "/interazioni/" + strconv.FormatInt(bFollow.ID, 10) + "/fatto", nil, post(ofA, "404")},
		{"POST", "/area-riservata/crm/:comune/interazioni/:id/fatto", treviglio + "/interazioni/" + strconv.FormatInt(aFollow.ID, 10) + "/fatto", nil, post(ofB, "404")},
		{"GET", "/admin/territori", "/admin/territori", nil, admins},
		{"POST", "/admin/territori", "/admin/territori", url.Values{"province": {strconv.FormatInt(w.provinceA, 10)}, "comune": {"016219"}}, post(admins, "422")}, // followed by B already
		{"POST", "/admin/territori/:id/termina", "/admin/territori/999999/termina", nil, post(admins, "404")},
	}
	covered := map[string]bool{}
	for _, row := range matrix {
		covered[row.method+" "+row.route] = true
	}
	for _, r := range s.Web.App.GetRoutes(true) {
		if (r.Method == "GET" || r.Method == "POST") && (strings.HasPrefix(r.Path, "/area-riservata/crm") || strings.HasPrefix(r.Path, "/admin/territori")) &&
			!covered[r.Method+" "+r.Path] && r.Path != "/area-riservata/crm/:comune/contatti/:id/elimina" {
			t.Errorf("route %s %s has no row in the CRM matrix", r.Method, r.Path)
		}
	}
	for _, row := range matrix {
		want := strings.Fields(row.want)
		if len(want) != len(crmPersonas) {
			t.Fatalf("%s %s: %d statuses", row.method, row.path, len(want))
		}
		for i, p := range crmPersonas {
			var res *http.Response
			var body string
			if row.method == "GET" {
				res, body = s.Get(t, row.path, "Cookie", w.cookies[p])
			} else {
				form := url.Values{"_csrf": {apptest.CSRFToken}}
				for k, v := range row.form {
					form[k] = v
				}
				res, body = s.PostForm(t, row.path, form, "Cookie", w.cookies[p])
			}
			if got := strconv.Itoa(res.StatusCode); got != want[i] {
				t.Errorf("%s %s as %s = %s, want %s", row.method, row.path, p, got, want[i])
			}
			// a 404 says nothing of the record: not the comune's name, not its province's (but
			// the viewer's own enti, in the menu)
			if res.StatusCode == 404 {
				for _, name := range secrets(row.path, p) {
					if strings.Contains(body, name) {
						t.Errorf("%s %s as %s: the 404 names %q", row.method, row.path, p, name)
					}
				}
			}
		}
	}

	// What each list shows: the province's own comuni; the admins' every followed comune.
	for p, want := range map[string][2]bool{"province A": {true, false}, "province A delegate": {true, false}, "province B": {false, true}, "admin": {true, true}} {
		_, body := s.Get(t, "/area-riservata/crm", "Cookie", w.cookies[p])
		if strings.Contains(body, ">Cantù<") != want[0] || strings.Contains(body, ">Treviglio<") != want[1] || strings.Contains(body, ">Milano<") {
			t.Errorf("%s's list: Cantù %v Treviglio %v, want %v", p, strings.Contains(body, ">Cantù<"), strings.Contains(body, ">Treviglio<"), want)
		}
		_, csv := s.Get(t, "/area-riservata/crm/elenco.csv", "Cookie", w.cookies[p])
		if strings.Contains(csv, "Cantù") != want[0] || strings.Contains(csv, "Treviglio") != want[1] {
			t.Errorf("%s's export: %q", p, csv)
		}
	}
	// The home: province A's people see their follow-up due, nobody else does.
	for _, p := range crmPersonas[1:] {
		_, body := s.Get(t, "/area-riservata", "Cookie", w.cookies[p])
		if shown, want := strings.Contains(body, "Telefonata sul fascicolo digitale"), p == "province A" || p == "province A delegate"; shown != want {
			t.Errorf("%s's home: follow-up shown %v, want %v", p, shown, want)
		}
		if shown, want := strings.Contains(body, "Incontro con la giunta"), p == "province B"; shown != want {
			t.Errorf("%s's home: B's follow-up shown %v, want %v", p, shown, want)
		}
	}

	// Ending a link ends the access at once: the province's staff lose the record, its rows stay.
	links, err := s.Territory.Links(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if l.ComuneID == w.cantu {
			if _, err := s.Territory.End(ctx, l.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, p := range []string{"province A", "admin"} {
		if res, _ := s.Get(t, cantu, "Cookie", w.cookies[p]); res.StatusCode != 404 {
			t.Errorf("%s after the link ended: %d", p, res.StatusCode)
		}
	}
	if _, body := s.Get(t, "/area-riservata", "Cookie", w.cookies["province A"]); strings.Contains(body, "Telefonata sul fascicolo digitale") {
		t.Error("the follow-up of a comune no longer followed is still on the home")
	}
	// B may follow Cantù now, and sees none of A's rows.
	if _, err := s.Territory.Follow(ctx, w.provinceB, w.cantu); err != nil {
		t.Fatal(err)
	}
	if res, body := s.Get(t, cantu, "Cookie", w.cookies["province B"]); res.StatusCode != 200 || strings.Contains(body, "fascicolo digitale") {
		t.Errorf("province B on Cantù: %d, A's interaction shown %v", res.StatusCode, strings.Contains(body, "fascicolo digitale"))
	}
	_ = request.Draft
}

// TestTerritoryRules: a comune is followed by one province at a time, only a province follows,
// only a comune is followed; a link that ended may be resumed.
func TestTerritoryRules(t *testing.T) {
	w := buildCRMWorld(t)
	s, ctx := w.s, context.Background()
	if _, err := s.Territory.Follow(ctx, w.provinceB, w.cantu); err != territory.ErrFollowed {
		t.Errorf("a second province: %v", err)
	}
	if _, err := s.Territory.Follow(ctx, w.milano, w.cantu); err != territory.ErrNotProvince {
		t.Errorf("a comune following: %v", err)
	}
	if _, err := s.Territory.Follow(ctx, w.provinceA, w.provinceB); err != territory.ErrNotComune {
		t.Errorf("a province followed: %v", err)
	}
	if got, _ := s.Territory.Followed(ctx, w.provinceA); len(got) != 1 || got[0] != w.cantu {
		t.Errorf("followed by A: %v", got)
	}
	if p, ok, _ := s.Territory.FollowerOf(ctx, w.milano); ok {
		t.Errorf("Milano followed by %d", p)
	}
	links, _ := s.Territory.Links(ctx)
	var cantu int64
	for _, l := range links {
		if l.ComuneID == w.cantu {
			cantu = l.ID
		}
	}
	if _, err := s.Territory.End(ctx, cantu); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Territory.Follow(ctx, w.provinceA, w.cantu); err != nil {
		t.Errorf("resuming: %v", err)
	}
	if p, ok, _ := s.Territory.FollowerOf(ctx, w.cantu); !ok || p != w.provinceA {
		t.Errorf("Cantù's follower: %d %v", p, ok)
	}
	_ = time.Now
}

// TestCRMSearchStaysInScope: the CRM's rows are searchable by the province that keeps them, and
// by nobody else — not the other province, the comune itself, PMs, experts or admins; once the
// province stops following the comune, its rows leave the results.
func TestCRMSearchStaysInScope(t *testing.T) {
	w := buildCRMWorld(t)
	s, ctx := w.s, context.Background()
	a := crm.Actor{UserID: w.userIDs["province A"], Name: "A"}
	b := crm.Actor{UserID: w.userIDs["province B"], Name: "B"}
	if _, err := s.CRM.AddContact(ctx, a, w.cantu, crm.ContactForm{Name: "Ortensia Quadrifoglio", Role: "Segretaria comunale", Email: "segreteria@comune.cantu.co.it"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CRM.LogInteraction(ctx, a, w.cantu, crm.InteractionForm{Kind: crm.KindMeeting, HappenedOn: "2026-10-01", Summary: "Incontro sul quadrifoglio dei servizi digitali"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CRM.AddAgreement(ctx, a, w.cantu, crm.AgreementForm{Title: "Convenzione quadrifoglio", StartsOn: "2026-01-01", Services: "Assistenza"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CRM.AddContact(ctx, b, w.treviglio, crm.ContactForm{Name: "Quadrifoglio Treviglio", Phone: "0363 1234567"}); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	hits := func(p string) (a, b int) {
		_, body := s.Get(t, "/cerca?q=quadrifoglio&tipo=crm_contact&tipo=crm_interaction&tipo=crm_agreement", "Cookie", w.cookies[p])
		return strings.Count(body, `href="/area-riservata/crm/`+strconv.FormatInt(w.cantu, 10)+`#`), strings.Count(body, `href="/area-riservata/crm/`+strconv.FormatInt(w.treviglio, 10)+`#`)
	}
	for _, p := range crmPersonas {
		gotA, gotB := hits(p)
		wantA, wantB := 0, 0
		switch p {
		case "province A", "province A delegate":
			wantA = 3
		case "province B":
			wantB = 1
		}
		if gotA != wantA || gotB != wantB {
			t.Errorf("%s finds %d of A's rows and %d of B's, want %d and %d", p, gotA, gotB, wantA, wantB)
		}
	}
	links, _ := s.Territory.Links(ctx)
	for _, l := range links {
		if l.ComuneID == w.cantu {
			if _, err := s.Territory.End(ctx, l.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	apptest.Idle(t, s.App)
	if gotA, _ := hits("province A"); gotA != 0 {
		t.Errorf("province A still finds %d rows of a comune it no longer follows", gotA)
	}
	n, err := s.Search.Engine.IDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range n {
		if strings.HasPrefix(id, "crm_") && !strings.HasPrefix(id, "crm_contact:") {
			t.Errorf("a row of a comune no longer followed is still indexed: %s", id)
		}
	}
	if missing, extra, err := s.Search.Drift(ctx); err != nil || len(missing)+len(extra) != 0 {
		t.Errorf("drift: missing %v, extra %v, %v", missing, extra, err)
	}
}
