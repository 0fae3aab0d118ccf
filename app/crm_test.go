package app_test

import (
	"bytes"
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"passhub/app/apptest"
	"passhub/app/crm"
	"passhub/app/mailtest"
)

// TestCRMRecordForms: bad input on each of the record's forms is a 422 with the messages beside
// the fields, in the viewer's language, what was typed kept, and nothing stored; good input is
// stored and shown on the record, its amounts summed.
func TestCRMRecordForms(t *testing.T) {
	w := buildCRMWorld(t)
	s := w.s
	cookie := w.cookies["province A"]
	page := "/area-riservata/crm/" + strconv.FormatInt(w.cantu, 10)
	post := func(path string, form url.Values, lang string) (int, string) {
		form.Set("_csrf", apptest.CSRFToken)
		res, body := s.PostForm(t, page+path+"?lang="+lang, form, "Cookie", cookie)
		return res.StatusCode, body
	}
	cases := []struct {
		path, lang string
		form       url.Values
		want       []string
	}{
		{"/contatti", "it", url.Values{"name": {""}, "email": {"non-una-mail"}, "role": {"Sindaca del paese"}},
			[]string{"Campo obbligatorio.", "Scrivi un indirizzo e-mail valido", `value="Sindaca del paese"`, `href="#crm-contact-name"`}},
		{"/contatti", "en", url.Values{"name": {"Anna"}}, []string{"Give at least one way to reach them"}},
		{"/interazioni", "it", url.Values{"kind": {"call"}, "happened_on": {"2099-01-01"}, "summary": {"Telefonata sul wifi"}, "follow_up_on": {"31/02/2027"}},
			[]string{"non può essere nel futuro", "Scrivi una data valida", "Telefonata sul wifi"}},
		{"/interazioni", "en", url.Values{"kind": {"fax"}, "happened_on": {"2026-11-02"}, "summary": {" "}, "follow_up_on": {"2026-11-01"}},
			[]string{"Choose the kind of interaction.", "This field is required.", "cannot come before the interaction"}},
		{"/convenzioni", "it", url.Values{"title": {"Convenzione 2026"}, "starts_on": {"2026-06-01"}, "ends_on": {"2026-01-01"}, "due": {"-5"}, "paid": {"1,234"}},
			[]string{"La fine non può precedere", "Indica almeno un servizio", "Scrivi un importo in euro", "Convenzione 2026"}},
	}
	for _, tc := range cases {
		code, body := post(tc.path, tc.form, tc.lang)
		if code != 422 {
			t.Errorf("%s %v: %d, want 422", tc.path, tc.form, code)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s %s: %q missing", tc.path, tc.lang, w)
			}
		}
		if !strings.Contains(body, "pass-error-summary") || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("%s: no error summary or invalid field", tc.path)
		}
	}
	rec, err := s.CRM.Record(context.Background(), w.cantu)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Contacts)+len(rec.Interactions)+len(rec.Agreements) != 0 {
		t.Fatalf("refused forms stored something: %+v", rec)
	}
	for path, form := range map[string]url.Values{
		"/contatti":    {"name": {"Giulia Verdi"}, "role": {"Responsabile della transizione digitale"}, "phone": {"+39 031 123456"}, "pec": {"protocollo@pec.comune.cantu.co.it"}},
		"/interazioni": {"kind": {"meeting"}, "happened_on": {"02/11/2026"}, "summary": {"Incontro sul piano triennale"}, "follow_up_on": {"2026-11-20"}},
		"/convenzioni": {"title": {"Convenzione CdC 2026"}, "starts_on": {"2026-01-01"}, "ends_on": {"2026-12-31"}, "services": {"Assistenza PNRR\nFormazione"}, "due": {"1.500,00"}, "paid": {"500.5"}},
	} {
		if code, _ := post(path, form, "it"); code != 303 {
			t.Errorf("%s: %d, want 303", path, code)
		}
	}
	if code, _ := post("/convenzioni", url.Values{"title": {"Integrazione"}, "starts_on": {"2026-03-01"}, "services": {"Supporto gare"}, "due": {"250"}}, "it"); code != 303 {
		t.Errorf("second agreement: %d", code)
	}
	_, body := s.Get(t, page, "Cookie", cookie)
	for _, want := range []string{"Giulia Verdi", "Responsabile della transizione digitale", "Incontro sul piano triennale", "Richiamo in scadenza dal 20 novembre 2026",
		"Convenzione CdC 2026", "Formazione", ">1.750,00<", ">500,50<", ">1.249,50<", "Arretrato VIA"} {
		if !strings.Contains(body, want) {
			t.Errorf("record: %q missing", want)
		}
	}
	// The comune's draft belongs to the comune alone: not on the province's timeline.
	if strings.Contains(body, "Bozza sulla zanzariera") {
		t.Error("a draft request on the province's timeline")
	}
	// Province A may not open Cantù's request under the requests' policy: title and state, no link.
	if strings.Contains(body, `href="/area-riservata/richieste/`+strconv.FormatInt(w.requestID, 10)+`"`) {
		t.Error("the timeline links a request the viewer may not open")
	}
	if _, body := s.Get(t, page, "Cookie", w.cookies["admin"]); !strings.Contains(body, `href="/area-riservata/richieste/`+strconv.FormatInt(w.requestID, 10)+`"`) {
		t.Error("the admin's timeline does not link the request they may open")
	}

	// The record's exports hold what the page shows.
	res, csv := s.Get(t, page+"/scheda.csv", "Cookie", cookie)
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(res.Header.Get("Content-Disposition"), "crm-cant") {
		t.Errorf("csv headers: %v", res.Header)
	}
	for _, want := range []string{"Giulia Verdi", "Incontro sul piano triennale", "2026-11-20", "Convenzione CdC 2026", "Assistenza PNRR; Formazione", "1500", "500.5"} {
		if !strings.Contains(csv, want) {
			t.Errorf("csv: %q missing in %q", want, csv)
		}
	}
	_, xlsx := s.Get(t, page+"/scheda.xlsx", "Cookie", cookie)
	f, err := excelize.OpenReader(bytes.NewReader([]byte(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	var flat []string
	for _, r := range rows {
		flat = append(flat, strings.Join(r, "|"))
	}
	if all := strings.Join(flat, "\n"); !strings.Contains(all, "Cantù") || !strings.Contains(all, "Giulia Verdi") || !strings.Contains(all, "Convenzione CdC 2026|") {
		t.Errorf("xlsx: %s", all)
	}
	// The list's filter of follow-ups due: Cantù's is due (20 November 2026 is past).
	_, body = s.Get(t, "/area-riservata/crm?richiami=1", "Cookie", cookie)
	if !strings.Contains(body, ">Cantù<") {
		t.Error("the filter of follow-ups due drops Cantù")
	}
	_, body = s.Get(t, "/area-riservata/crm?q=zzz", "Cookie", cookie)
	if strings.Contains(body, ">Cantù<") || !strings.Contains(body, "Nessun comune corrisponde") {
		t.Error("the name filter keeps Cantù")
	}
}

// TestCRMFollowUpReminders: the daily job tells the province's enabled members of its follow-ups
// due, once (a rerun adds nothing); the digest e-mails them; the staff of another province and
// follow-ups not due yet or done are left out; once the province stops following the comune, the
// digest no longer carries it.
func TestCRMFollowUpReminders(t *testing.T) {
	smtp := mailtest.Start(t)
	w := buildCRMWorld(t, withSMTP(smtp))
	s, ctx := w.s, context.Background()
	today := s.CRM.Today()
	a := crm.Actor{UserID: w.userIDs["province A"], Name: "A"}
	day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
	due, err := s.CRM.LogInteraction(ctx, a, w.cantu, crm.InteractionForm{Kind: crm.KindCall, HappenedOn: day(-3), Summary: "Richiamare il segretario comunale", FollowUpOn: day(0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CRM.LogInteraction(ctx, a, w.cantu, crm.InteractionForm{Kind: crm.KindEmail, HappenedOn: day(0), Summary: "Inviare la bozza di convenzione", FollowUpOn: day(5)}); err != nil {
		t.Fatal(err)
	}
	done, err := s.CRM.LogInteraction(ctx, a, w.cantu, crm.InteractionForm{Kind: crm.KindOther, HappenedOn: day(-9), Summary: "Già sentito il sindaco", FollowUpOn: day(-2)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CRM.FollowUpDone(ctx, w.cantu, done.ID); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if n, err := s.CRM.NotifyDue(ctx); err != nil || n != 1 {
			t.Fatalf("reminders: %d %v", n, err)
		}
	}
	count := func(user int64) int {
		n, err := s.DB.NewSelect().Table("notifications").Where("user_id = ? AND kind = ?", user, crm.KindFollowUp).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	delegate := userOf(t, s, w.cookies["province A delegate"])
	if count(w.userIDs["province A"]) != 1 || count(delegate) != 1 || count(w.userIDs["province B"]) != 0 || count(w.userIDs["delegate A"]) != 0 {
		t.Errorf("reminders: A %d, A's delegate %d, B %d, Cantù %d", count(w.userIDs["province A"]), count(delegate), count(w.userIDs["province B"]), count(w.userIDs["delegate A"]))
	}
	// (the world's other people have notices too; some of their test addresses do not parse)
	if _, err := s.Notifications.SendDigests(ctx); err != nil {
		t.Log(err)
	}
	var digest *mailtest.Captured
	deadline := time.Now().Add(5 * time.Second)
	for digest == nil && time.Now().Before(deadline) {
		for _, m := range smtp.Messages() {
			if strings.Contains(m.Text, "Richiamare il segretario comunale") && m.To[0] == "a@example.it" {
				digest = &m
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if digest == nil {
		t.Fatalf("no digest for province A: %+v", smtp.Messages())
	}
	if !strings.Contains(digest.Text, "Richiamo in scadenza") || !strings.Contains(digest.Text, "/area-riservata/crm/"+strconv.FormatInt(w.cantu, 10)) ||
		strings.Contains(digest.Text, "Inviare la bozza") || strings.Contains(digest.Text, "Già sentito") {
		t.Errorf("digest: %q", digest.Text)
	}
	for _, m := range smtp.Messages() {
		if m.To[0] == "b@example.it" && strings.Contains(m.Text, "segretario") {
			t.Error("province B mailed A's follow-up")
		}
	}
	_ = due
	// A new follow-up, then the link ends before the digest: the digest carries nothing of it.
	if _, err := s.CRM.LogInteraction(ctx, a, w.cantu, crm.InteractionForm{Kind: crm.KindCall, HappenedOn: day(0), Summary: "Secondo richiamo", FollowUpOn: day(0)}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CRM.NotifyDue(ctx); n != 2 {
		t.Errorf("reminders of the second day: %d", n)
	}
	links, _ := s.Territory.Links(ctx)
	for _, l := range links {
		if l.ComuneID == w.cantu {
			_, _ = s.Territory.End(ctx, l.ID)
		}
	}
	_, _ = s.Notifications.SendDigests(ctx)
	time.Sleep(200 * time.Millisecond)
	for _, m := range smtp.Messages() {
		if strings.Contains(m.Text, "Secondo richiamo") {
			t.Error("a digest carried the follow-up of a comune no longer followed")
		}
	}
	// while it was followed, the same reminder would have gone out: the check above can fail
	if _, err := s.Territory.Follow(ctx, w.provinceA, w.cantu); err != nil {
		t.Fatal(err)
	}
	_, _ = s.Notifications.SendDigests(ctx)
	smtpWait(t, smtp, "Secondo richiamo")
}

// smtpWait waits until a message holding text arrives.
func smtpWait(t *testing.T, smtp *mailtest.Server, text string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, m := range smtp.Messages() {
			if strings.Contains(m.Text, text) {
				return
			}
		}
	}
	t.Errorf("no message with %q", text)
}
