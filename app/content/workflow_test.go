package content_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/apptest"
	"passhub/app/audit"
	"passhub/app/auth"
	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/identity"
)

// desk is a newsroom with an editor, a publisher and an admin.
type desk struct {
	a                         *app.App
	editor, publisher, admin  content.Actor
	editor2                   content.Actor
	editorID, publisherID, id int64
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	a := apptest.New(t)
	ctx := context.Background()
	d := &desk{a: a}
	user := func(first15, name, role string) content.Actor {
		u, _, err := a.Identity.Login(ctx, auth.Identity{FiscalCode: apptest.FiscalCode(first15), Name: name, FamilyName: "Test",
			Email: strings.ToLower(name) + "@pass.example.it", Method: "dev", Issuer: "test", Level: 2}, identity.Client{IP: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Identity.Grant(ctx, identity.Actor{Name: "test"}, u.ID, role, ""); err != nil {
			t.Fatal(err)
		}
		return content.Actor{UserID: u.ID, Name: name + " Test", Publisher: role != identity.RoleEditor}
	}
	d.editor = user("RDTRDT80A01F205", "Redattore", identity.RoleEditor)
	d.editor2 = user("RDTDUE80A01F205", "Seconda", identity.RoleEditor)
	d.publisher = user("CPRCPR80A01F205", "Capo", identity.RolePublisher)
	d.admin = user("DMNDMN80A01F205", "Admin", identity.RoleAdmin)
	return d
}

func newsDraft(slug, title, body string) content.Draft {
	return content.Draft{Type: content.TypeNews, Slug: slug, Body: body,
		Fields: map[string]string{"title": title, "summary": "Una notizia di prova.", "date": "2026-12-04", "tags": "prova\nredazione"}}
}

func (d *desk) head(t *testing.T, typ content.Type, slug string) *content.Work {
	t.Helper()
	w, err := d.a.Content.Work(context.Background(), typ, slug)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// told reports whether who got a notification of kind, waiting a while for the event's job.
func (d *desk) told(t *testing.T, who content.Actor, kind string) bool {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if has(d.kinds(t, who), kind) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (d *desk) kinds(t *testing.T, who content.Actor) []string {
	t.Helper()
	ns, err := d.a.Notifications.List(context.Background(), who.UserID, false, 50)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		out = append(out, n.Kind)
	}
	return out
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestNewsroomReviewCycle: an editor writes a news item and submits it; the publisher asks for a
// change; the editor fixes it and submits again; the publisher publishes it. Each step is
// checked against the rules, notified and audited, and the public page follows only at the end.
func TestNewsroomReviewCycle(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	ctx := context.Background()
	svc := d.a.Content

	e, rev, err := svc.SaveDraft(ctx, d.editor, content.Draft{Type: content.TypeNews, Body: "## Il bando\n\nPrima stesura.\n",
		Fields: map[string]string{"title": "Nuovo bando per i Comuni", "summary": "Una notizia di prova.", "date": "2026-12-04", "tags": "bandi"}})
	if err != nil {
		t.Fatal(err)
	}
	if e.Slug != "nuovo-bando-per-i-comuni" || rev.State != content.StateDraft || rev.Number != 1 {
		t.Fatalf("new draft: slug %q state %q number %d", e.Slug, rev.State, rev.Number)
	}
	if !strings.HasPrefix(rev.Source, "---\ntitle: Nuovo bando per i Comuni\nsummary: Una notizia di prova.\ndate: 2026-12-04\ntags:\n  - bandi\n---\n## Il bando") {
		t.Errorf("source is not the import's format:\n%s", rev.Source)
	}
	if _, err := svc.Published(ctx, content.TypeNews, e.Slug); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("a draft is public: %v", err)
	}
	// Nobody may publish what the editor has not even submitted, except a publisher; the editor never.
	if err := svc.Publish(ctx, d.editor, content.TypeNews, e.Slug, rev.ID); !errors.Is(err, content.ErrNotPublisher) {
		t.Errorf("editor publishes: %v", err)
	}
	if err := svc.RequestChanges(ctx, d.publisher, content.TypeNews, e.Slug, rev.ID, "Manca la scadenza."); !errors.Is(err, content.ErrStep) {
		t.Errorf("changes asked of a draft: %v", err)
	}
	if err := svc.Submit(ctx, d.editor, content.TypeNews, e.Slug, rev.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Submit(ctx, d.editor, content.TypeNews, e.Slug, rev.ID); !errors.Is(err, content.ErrStep) {
		t.Errorf("submitted twice: %v", err)
	}
	if _, _, err := svc.SaveDraft(ctx, d.editor, content.Draft{Type: content.TypeNews, Slug: e.Slug, Base: rev.ID, Fields: map[string]string{"title": "x", "summary": "y", "date": "2026-12-04"}}); !errors.Is(err, content.ErrStep) {
		t.Errorf("an editor rewrote a revision in review: %v", err)
	}
	if !d.told(t, d.publisher, "content.submitted") {
		t.Errorf("publisher not told of the submission: %v", d.kinds(t, d.publisher))
	}
	if err := svc.RequestChanges(ctx, d.editor, content.TypeNews, e.Slug, rev.ID, "io"); !errors.Is(err, content.ErrNotPublisher) {
		t.Errorf("editor asks for changes: %v", err)
	}
	if err := svc.RequestChanges(ctx, d.publisher, content.TypeNews, e.Slug, rev.ID, "  "); !errors.Is(err, content.ErrComment) {
		t.Errorf("changes without a comment: %v", err)
	}
	if err := svc.RequestChanges(ctx, d.publisher, content.TypeNews, e.Slug, rev.ID, "Manca la scadenza."); err != nil {
		t.Fatal(err)
	}
	w := d.head(t, content.TypeNews, e.Slug)
	if w.Head.State != content.StateDraft || w.Head.Comment != "Manca la scadenza." {
		t.Fatalf("after the request: %q %q", w.Head.State, w.Head.Comment)
	}
	if !d.told(t, d.editor, "content.changes_requested") {
		t.Errorf("author not told of the request: %v", d.kinds(t, d.editor))
	}
	fixed := newsDraft(e.Slug, "Nuovo bando per i Comuni", "## Il bando\n\nScadenza: 31 gennaio.\n")
	fixed.Base = rev.ID
	_, rev2, err := svc.SaveDraft(ctx, d.editor, fixed)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Submit(ctx, d.editor, content.TypeNews, e.Slug, rev.ID); !errors.Is(err, content.ErrMoved) {
		t.Errorf("a step on an old revision: %v", err)
	}
	if err := svc.Submit(ctx, d.editor, content.TypeNews, e.Slug, rev2.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Publish(ctx, d.publisher, content.TypeNews, e.Slug, rev2.ID); err != nil {
		t.Fatal(err)
	}
	p, err := svc.Published(ctx, content.TypeNews, e.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(p.HTML), "31 gennaio") || p.Revision != 2 {
		t.Errorf("public page: revision %d %s", p.Revision, p.HTML)
	}
	list, err := svc.List(ctx, content.Query{Type: content.TypeNews, Tag: "redazione"})
	if err != nil || list.Total != 1 {
		t.Errorf("news listing by tag: %+v %v", list, err)
	}
	if !d.told(t, d.editor, "content.published") {
		t.Errorf("author not told of the publication: %v", d.kinds(t, d.editor))
	}
	// A new draft over the published revision leaves the live one online.
	next := newsDraft(e.Slug, "Nuovo bando per i Comuni", "Terza stesura, non ancora rivista.\n")
	next.Base = rev2.ID
	if _, _, err := svc.SaveDraft(ctx, d.editor, next); err != nil {
		t.Fatal(err)
	}
	p, _ = svc.Published(ctx, content.TypeNews, e.Slug)
	if strings.Contains(string(p.HTML), "Terza") || !strings.Contains(string(p.HTML), "31 gennaio") {
		t.Errorf("a draft replaced the live page: %s", p.HTML)
	}
	w = d.head(t, content.TypeNews, e.Slug)
	if len(w.History) != 3 || w.Live == nil || w.Live.ID != rev2.ID || w.History[1].State != content.StatePublished {
		t.Errorf("history: %d revisions, live %+v", len(w.History), w.Live)
	}
	var actions []string
	if err := d.a.DB.NewSelect().Model((*audit.Entry)(nil)).Column("action").Where("object_type = 'entry' AND object_id = ?", e.ID).
		Order("id").Scan(ctx, &actions); err != nil {
		t.Fatal(err)
	}
	want := "content.save content.submit content.request_changes content.save content.submit content.publish content.save"
	if strings.Join(actions, " ") != want {
		t.Errorf("audit:\n got %v\nwant %s", actions, want)
	}
	// Unpublish takes it off; the author is told.
	if err := svc.Unpublish(ctx, d.editor, content.TypeNews, e.Slug, w.Head.ID); !errors.Is(err, content.ErrNotPublisher) {
		t.Errorf("editor unpublishes: %v", err)
	}
	if err := svc.Unpublish(ctx, d.admin, content.TypeNews, e.Slug, w.Head.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Published(ctx, content.TypeNews, e.Slug); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("still public after unpublishing: %v", err)
	}
	if !d.told(t, d.editor, "content.unpublished") {
		t.Errorf("author not told of the unpublication")
	}
}

// TestNewsroomConflict: two editors open the same revision; the second save is refused, and
// the entry keeps the first.
func TestNewsroomConflict(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	ctx := context.Background()
	w := d.head(t, content.TypePage, "privacy")
	one := content.Draft{Type: content.TypePage, Slug: "privacy", Base: w.Head.ID, Body: "Testo della prima.\n",
		Fields: map[string]string{"title": "Privacy", "summary": "Informativa"}}
	two := one
	two.Body = "Testo della seconda.\n"
	if _, _, err := d.a.Content.SaveDraft(ctx, d.editor, one); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.a.Content.SaveDraft(ctx, d.editor2, two); !errors.Is(err, content.ErrMoved) {
		t.Fatalf("second save over a moved entry: %v", err)
	}
	w = d.head(t, content.TypePage, "privacy")
	if !strings.Contains(w.Doc.Body, "prima") {
		t.Errorf("latest revision: %q", w.Doc.Body)
	}
	// The published page did not change: it is still the imported one.
	p, _ := d.a.Content.Published(ctx, content.TypePage, "privacy")
	if strings.Contains(string(p.HTML), "prima") {
		t.Errorf("a draft went live")
	}
}

// TestNewsroomValidation: a draft is checked by the import's rules, and the problem names its field.
func TestNewsroomValidation(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	ctx := context.Background()
	for _, c := range []struct {
		name, key, rule string
		fields          map[string]string
	}{
		{"bad date", "date", "date", map[string]string{"title": "Ok", "summary": "s", "date": "4 dicembre"}},
		{"blank title", "title", "required", map[string]string{"title": " ", "summary": "s", "date": "2026-12-04"}},
		{"no date", "date", "required", map[string]string{"title": "Ok", "summary": "s"}},
	} {
		_, _, err := d.a.Content.SaveDraft(ctx, d.editor, content.Draft{Type: content.TypeNews, Slug: "prova", Fields: c.fields})
		var fe *content.FileError
		if !errors.As(err, &fe) || fe.Key != c.key || fe.Rule != c.rule {
			t.Errorf("%s: %v (%+v)", c.name, err, fe)
		}
	}
	_, _, err := d.a.Content.SaveDraft(ctx, d.editor, content.Draft{Type: content.TypePage, Slug: "privacy", Fields: map[string]string{"title": "P", "summary": "s"}})
	if !errors.Is(err, content.ErrSlugTaken) {
		t.Errorf("a new entry over an existing slug: %v", err)
	}
	_, _, err = d.a.Content.SaveDraft(ctx, d.editor, content.Draft{Type: content.TypePage, Slug: "Non Va", Fields: map[string]string{"title": "P", "summary": "s"}})
	if !errors.Is(err, content.ErrBadSlug) {
		t.Errorf("a bad slug: %v", err)
	}
}

// TestNewsroomDirectPublishing: on a type registered for direct publishing an editor publishes
// alone; on the others only publishers do. Serial: it registers a type.
func TestNewsroomDirectPublishing(t *testing.T) {
	content.MustRegister(content.Definition{Name: "avviso", Label: "notice", Dir: "avvisi-redazione", Route: "/avvisi-redazione",
		DirectPublish: true, Fields: []content.Field{{Name: "title", Kind: content.KindString, Required: true, NotEmpty: true}}})
	t.Cleanup(func() { content.Unregister("avviso") })
	d := newDesk(t)
	ctx := context.Background()
	_, rev, err := d.a.Content.SaveDraft(ctx, d.editor, content.Draft{Type: "avviso", Slug: "chiusura", Body: "Uffici chiusi.\n", Fields: map[string]string{"title": "Chiusura"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.a.Content.Publish(ctx, d.editor, "avviso", "chiusura", rev.ID); err != nil {
		t.Fatalf("direct publishing: %v", err)
	}
	if _, err := d.a.Content.Published(ctx, "avviso", "chiusura"); err != nil {
		t.Error(err)
	}
	w := d.head(t, "avviso", "chiusura")
	if err := d.a.Content.Archive(ctx, d.editor, "avviso", "chiusura", w.Head.ID); !errors.Is(err, content.ErrNotPublisher) {
		t.Errorf("editor archives: %v", err)
	}
	if err := d.a.Content.Archive(ctx, d.publisher, "avviso", "chiusura", w.Head.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.a.Content.Published(ctx, "avviso", "chiusura"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("archived entry still public: %v", err)
	}
}

// TestNewsroomProcedureJoinsCatalogue: a new procedure sheet is in the catalogue once published,
// not while it is a draft.
func TestNewsroomProcedureJoinsCatalogue(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	ctx := context.Background()
	draft := content.Draft{Type: content.TypeProcedure, Slug: "scarichi-idrici", Body: "Scheda.\n", Fields: map[string]string{
		"code": "VA-90", "title": "Autorizzazione agli scarichi idrici", "summary": "Scarichi in corpo idrico.", "task_force": "VA",
		"accepts_requests": "true", "documents": "Domanda\nPlanimetria"}}
	_, rev, err := d.a.Content.SaveDraft(ctx, d.publisher, draft)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.a.Catalogue.Procedure(ctx, "scarichi-idrici"); err == nil {
		t.Fatal("a draft procedure is in the catalogue")
	}
	if err := d.a.Content.Publish(ctx, d.publisher, content.TypeProcedure, "scarichi-idrici", rev.ID); err != nil {
		t.Fatal(err)
	}
	p, tf, err := d.a.Catalogue.Procedure(ctx, "scarichi-idrici")
	if err != nil || tf.Code != "VA" || len(p.Documents) != 2 {
		t.Fatalf("catalogue: %+v %+v %v", p, tf, err)
	}
	// A sheet naming an unknown task force is refused, with the reason, and nothing changes.
	bad := draft
	bad.Slug, bad.Fields = "scheda-orfana", map[string]string{"code": "ZZ-01", "title": "Orfana", "summary": "s", "task_force": "ZZ"}
	_, rev, err = d.a.Content.SaveDraft(ctx, d.publisher, bad)
	if err != nil {
		t.Fatal(err)
	}
	var refused *content.Refused
	if err := d.a.Content.Publish(ctx, d.publisher, content.TypeProcedure, "scheda-orfana", rev.ID); !errors.As(err, &refused) || !strings.Contains(refused.Msg, "ZZ") {
		t.Errorf("orphan procedure published: %v", err)
	}
	if _, err := d.a.Content.Published(ctx, content.TypeProcedure, "scheda-orfana"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("refused publication is public: %v", err)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestNewsroomSchedule: a time in the past is refused; a revision scheduled a moment ahead is
// published by its job, and unpublished by the other; running a job again changes nothing; a
// scheduled publication that fails goes back to review and its publisher is told.
func TestNewsroomSchedule(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	ctx := context.Background()
	svc := d.a.Content
	_, rev, err := svc.SaveDraft(ctx, d.editor, newsDraft("in-arrivo", "In arrivo", "Esce più tardi.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Submit(ctx, d.editor, content.TypeNews, "in-arrivo", rev.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Schedule(ctx, d.publisher, content.TypeNews, "in-arrivo", rev.ID, time.Now().Add(-time.Minute), time.Time{}); !errors.Is(err, content.ErrPast) {
		t.Errorf("past time: %v", err)
	}
	if err := svc.Schedule(ctx, d.editor, content.TypeNews, "in-arrivo", rev.ID, time.Now().Add(time.Hour), time.Time{}); !errors.Is(err, content.ErrNotPublisher) {
		t.Errorf("editor schedules: %v", err)
	}
	at := time.Now().Add(1500 * time.Millisecond)
	if err := svc.Schedule(ctx, d.publisher, content.TypeNews, "in-arrivo", rev.ID, at, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	out, err := svc.Outgoing(ctx)
	if err != nil || len(out) != 1 || out[0].Entry.Slug != "in-arrivo" {
		t.Fatalf("in uscita: %+v %v", out, err)
	}
	if _, err := svc.Published(ctx, content.TypeNews, "in-arrivo"); err == nil {
		t.Fatal("public before its time")
	}
	waitFor(t, "the scheduled publication", func() bool {
		_, err := svc.Published(ctx, content.TypeNews, "in-arrivo")
		return err == nil
	})
	w := d.head(t, content.TypeNews, "in-arrivo")
	if w.Head.State != content.StatePublished || w.Head.UnpublishAt.IsZero() {
		t.Errorf("after the job: %q unpublish %v", w.Head.State, w.Head.UnpublishAt)
	}
	// The job again: nothing changes (no archived revision, no second audit entry).
	again := content.ScheduleArgs{EntryID: w.Entry.ID, RevisionID: rev.ID, Op: content.StepPublish, At: at.UTC().Truncate(time.Second)}
	if err := svc.RunScheduled(ctx, again); err != nil {
		t.Fatal(err)
	}
	var n int64
	n, err = d.a.DB.NewSelect().Model((*audit.Entry)(nil)).Where("action = 'content.publish' AND object_id = ?", w.Entry.ID).Count(ctx)
	if err != nil || n != 1 {
		t.Errorf("publications audited: %d %v", n, err)
	}
	if after := d.head(t, content.TypeNews, "in-arrivo"); after.Head.State != content.StatePublished || len(after.History) != 1 {
		t.Errorf("rerun changed the entry: %q, %d revisions", after.Head.State, len(after.History))
	}
	// Its unpublication, an hour ahead, is run now as its job would: the entry goes off.
	down := content.ScheduleArgs{EntryID: w.Entry.ID, RevisionID: rev.ID, Op: content.StepUnpublish, At: w.Head.UnpublishAt}
	if err := svc.RunScheduled(ctx, down); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Published(ctx, content.TypeNews, "in-arrivo"); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("still public after its unpublication: %v", err)
	}
	if err := svc.RunScheduled(ctx, down); err != nil {
		t.Errorf("unpublication rerun: %v", err)
	}

	// A scheduled procedure sheet that the catalogue refuses: back in review, publisher told.
	_, bad, err := svc.SaveDraft(ctx, d.publisher, content.Draft{Type: content.TypeProcedure, Slug: "scheda-orfana", Fields: map[string]string{
		"code": "ZZ-02", "title": "Orfana", "summary": "s", "task_force": "ZZ"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Schedule(ctx, d.publisher, content.TypeProcedure, "scheda-orfana", bad.ID, time.Now().Add(time.Second), time.Time{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the failed publication", func() bool {
		w, err := svc.Work(ctx, content.TypeProcedure, "scheda-orfana")
		return err == nil && w.Head.State == content.StateReview
	})
	w = d.head(t, content.TypeProcedure, "scheda-orfana")
	if !strings.Contains(w.Head.Comment, "ZZ") {
		t.Errorf("reason not kept: %q", w.Head.Comment)
	}
	if !d.told(t, d.publisher, "content.schedule_failed") {
		t.Errorf("publisher not told of the failure: %v", d.kinds(t, d.publisher))
	}
}

// TestNewsroomSteps: the buttons' rule, per role and state.
func TestNewsroomSteps(t *testing.T) {
	t.Parallel()
	news, _ := content.Lookup(content.TypeNews)
	editor, publisher := content.Actor{UserID: 1}, content.Actor{UserID: 2, Publisher: true}
	live := &content.Entry{PublishedRevisionID: 9}
	draft := &content.Entry{}
	for _, c := range []struct {
		name  string
		who   content.Actor
		e     *content.Entry
		state string
		want  string
	}{
		{"editor draft", editor, draft, content.StateDraft, "save submit"},
		{"editor review", editor, draft, content.StateReview, ""},
		{"editor live", editor, live, content.StatePublished, "save"},
		{"publisher draft", publisher, draft, content.StateDraft, "archive publish save schedule submit"},
		{"publisher review", publisher, draft, content.StateReview, "archive publish request_changes save schedule"},
		{"publisher scheduled", publisher, draft, content.StateScheduled, "archive publish request_changes save schedule"},
		{"publisher live", publisher, live, content.StatePublished, "archive save schedule unpublish"},
		{"publisher archived", publisher, draft, content.StateArchived, "save"},
	} {
		var got []string
		for _, s := range []string{"archive", "publish", "request_changes", "save", "schedule", "submit", "unpublish"} {
			if content.Steps(c.who, news, c.e, &content.Revision{State: c.state})[s] {
				got = append(got, s)
			}
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: %v, want %q", c.name, got, c.want)
		}
	}
}
