package content_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"passhub/app/audit"
	"passhub/app/content"
)

// TestAutosave: an autosave by the author of the latest draft rewrites that revision in place
// (same id and number, no audit entry), another editor's autosave adds a revision, and
// every autosave is checked against the revision it started from: a save or an autosave naming a
// revision, or a source, the entry moved on from is ErrMoved; invalid fields save nothing; a new
// entry, a revision in review and a draft sent back with a comment are never rewritten in place.
func TestAutosave(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	ctx := context.Background()
	svc := d.a.Content
	const slug = "bozza-automatica"
	e, rev, err := svc.SaveDraft(ctx, d.editor, newsDraft(slug, "Bozza automatica", "Prima stesura.\n"))
	if err != nil {
		t.Fatal(err)
	}
	actions := func() string {
		t.Helper()
		var out []string
		if err := d.a.DB.NewSelect().Model((*audit.Entry)(nil)).Column("action").Where("object_type = 'entry' AND object_id = ?", e.ID).
			Order("id").Scan(ctx, &out); err != nil {
			t.Fatal(err)
		}
		return strings.Join(out, " ")
	}
	draft := func(base *content.Revision, body string) content.Draft {
		dr := newsDraft(slug, "Bozza automatica", body)
		dr.Base, dr.BaseHash = base.ID, base.Hash
		return dr
	}

	if _, _, err := svc.Autosave(ctx, d.editor, newsDraft("", "Mai salvata", "Testo.\n")); !errors.Is(err, content.ErrStep) {
		t.Errorf("a new entry autosaved: %v", err)
	}
	r1, inPlace, err := svc.Autosave(ctx, d.editor, draft(rev, "Seconda stesura.\n"))
	if err != nil {
		t.Fatal(err)
	}
	r2, inPlace2, err := svc.Autosave(ctx, d.editor, draft(r1, "Terza stesura.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !inPlace || !inPlace2 || r1.ID != rev.ID || r2.ID != rev.ID || r2.Hash == rev.Hash || r2.Hash == r1.Hash {
		t.Errorf("own draft not rewritten in place: %v %v ids %d %d %d", inPlace, inPlace2, rev.ID, r1.ID, r2.ID)
	}
	w := d.head(t, content.TypeNews, slug)
	if len(w.History) != 1 || w.Head.ID != rev.ID || w.Head.Number != 1 || !strings.Contains(w.Doc.Body, "Terza stesura") || w.Head.Hash != r2.Hash {
		t.Errorf("after two autosaves: %d revisions, head %d #%d, body %q", len(w.History), w.Head.ID, w.Head.Number, w.Doc.Body)
	}
	if got := actions(); got != "content.save" {
		t.Errorf("autosaves in place audited: %s", got)
	}

	// A save from a form opened before the autosave names the same revision but an older source.
	if _, _, err := svc.SaveDraft(ctx, d.editor2, draft(rev, "Da un'altra scheda.\n")); !errors.Is(err, content.ErrMoved) {
		t.Errorf("a save over an autosave it never saw: %v", err)
	}
	if _, _, err := svc.Autosave(ctx, d.editor, draft(rev, "Da un'altra scheda.\n")); !errors.Is(err, content.ErrMoved) {
		t.Errorf("an autosave from a stale source: %v", err)
	}
	// Invalid: nothing saved.
	bad := draft(r2, "Con errore.\n")
	bad.Fields["date"] = "4 dicembre"
	var fe *content.FileError
	if _, _, err := svc.Autosave(ctx, d.editor, bad); !errors.As(err, &fe) || fe.Key != "date" {
		t.Errorf("invalid autosave: %v", err)
	}
	if w := d.head(t, content.TypeNews, slug); !strings.Contains(w.Doc.Body, "Terza stesura") || w.Head.Hash != r2.Hash {
		t.Errorf("an invalid autosave changed the draft: %q", w.Doc.Body)
	}

	// Another editor's autosave on this draft adds a revision; their next one rewrites it.
	r3, inPlace, err := svc.Autosave(ctx, d.editor2, draft(r2, "Rivista da Seconda.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if inPlace || r3.ID == rev.ID || r3.Number != 2 || r3.AuthorID != d.editor2.UserID {
		t.Errorf("another author's autosave: in place %v, id %d, number %d", inPlace, r3.ID, r3.Number)
	}
	if _, _, err := svc.Autosave(ctx, d.editor, draft(r2, "Ancora io.\n")); !errors.Is(err, content.ErrMoved) {
		t.Errorf("an autosave after someone else saved: %v", err)
	}
	r4, inPlace, err := svc.Autosave(ctx, d.editor2, draft(r3, "Rivista ancora.\n"))
	if err != nil || !inPlace || r4.ID != r3.ID {
		t.Errorf("second autosave of the other editor: %v in place %v", err, inPlace)
	}
	if got := actions(); got != "content.save content.autosave" {
		t.Errorf("audit: %s", got)
	}

	// Submitted: no autosave. Sent back with a comment: the reviewed revision stays, the
	// autosave adds one.
	if err := svc.Submit(ctx, d.editor2, content.TypeNews, slug, r4.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Autosave(ctx, d.editor2, draft(r4, "In revisione.\n")); !errors.Is(err, content.ErrStep) {
		t.Errorf("autosave of a revision in review: %v", err)
	}
	if err := svc.RequestChanges(ctx, d.publisher, content.TypeNews, slug, r4.ID, "Più breve."); err != nil {
		t.Fatal(err)
	}
	r5, inPlace, err := svc.Autosave(ctx, d.editor2, draft(r4, "Breve.\n"))
	if err != nil || inPlace || r5.ID == r4.ID || r5.Number != 3 {
		t.Errorf("autosave of a draft sent back: %v in place %v, number %d", err, inPlace, r5.Number)
	}
	if w := d.head(t, content.TypeNews, slug); len(w.History) != 3 || !strings.Contains(w.History[1].Comment, "Più breve") {
		t.Errorf("the reviewed revision is not kept: %+v", w.History)
	}
}

// TestChoices: a reference field's choices are the published entries of its type, code and title.
func TestChoices(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	got, err := d.a.Content.Choices(context.Background(), content.TypeTaskForce)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, c := range got {
		codes = append(codes, c.Value+"="+c.Label)
	}
	if len(got) < 6 || !strings.Contains(strings.Join(codes, " "), "APP=Appalti") {
		t.Errorf("task forces: %v", codes)
	}
	for i := 1; i < len(got); i++ {
		if got[i-1].Label > got[i].Label {
			t.Errorf("not by title: %v", codes)
		}
	}
	if _, err := d.a.Content.Choices(context.Background(), content.TypeNews); err == nil {
		t.Error("choices of a type without a code")
	}
}
