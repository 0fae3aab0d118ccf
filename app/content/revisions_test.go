package content_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"passhub/app/audit"
	"passhub/app/content"
	"passhub/app/db"
)

// TestRestore: an imported report, edited, gets its first revision back as a new draft, with
// its attachments; the restore follows the save's rules (the base revision, the state) and is
// audited with the number it came from.
func TestRestore(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	ctx, svc := context.Background(), d.a.Content
	const slug = "monitoraggio-2025-primo-semestre"
	orig := d.head(t, content.TypeReport, slug)
	if len(orig.Doc.Front.Attachments) == 0 {
		t.Fatal("the report has no attachments to keep")
	}
	draft := content.Draft{Type: content.TypeReport, Slug: slug, Base: orig.Head.ID, Fields: content.FormValues(orig.Def, orig.Doc),
		Body: "Un testo tutto nuovo.\n"}
	draft.Fields["title"] = "Un altro titolo"
	_, edited, err := svc.SaveDraft(ctx, d.editor, draft)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Restore(ctx, d.editor, content.TypeReport, slug, orig.Head.Number, orig.Head.ID); !errors.Is(err, content.ErrMoved) {
		t.Fatalf("restore over an old base: %v", err)
	}
	if _, _, err := svc.Restore(ctx, d.editor, content.TypeReport, slug, 99, edited.ID); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("restore of a revision that is not there: %v", err)
	}
	e, rev, err := svc.Restore(ctx, d.editor, content.TypeReport, slug, orig.Head.Number, edited.ID)
	if err != nil {
		t.Fatal(err)
	}
	w := d.head(t, content.TypeReport, slug)
	if w.Head.ID != rev.ID || w.Head.State != content.StateDraft || w.Head.AuthorID != d.editor.UserID {
		t.Errorf("head after the restore: %+v", w.Head)
	}
	if w.Doc.Body != orig.Doc.Body || w.Doc.Front.Title != orig.Doc.Front.Title ||
		!reflect.DeepEqual(w.Doc.Front.Attachments, orig.Doc.Front.Attachments) {
		t.Errorf("restored: title %q, attachments %+v", w.Doc.Front.Title, w.Doc.Front.Attachments)
	}
	var got audit.Entry
	if err := d.a.DB.NewSelect().Model(&got).Where("object_type = 'entry' AND object_id = ?", e.ID).Order("id DESC").Limit(1).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if got.Action != "content.restore" || got.Detail != "report/"+slug+" rev 3: from rev 1" {
		t.Errorf("audit: %s %q", got.Action, got.Detail)
	}
	// In review, only a publisher may restore.
	if err := svc.Submit(ctx, d.editor, content.TypeReport, slug, rev.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Restore(ctx, d.editor, content.TypeReport, slug, 2, rev.ID); !errors.Is(err, content.ErrStep) {
		t.Errorf("an editor's restore in review: %v", err)
	}
	if _, _, err := svc.Restore(ctx, d.publisher, content.TypeReport, slug, 2, rev.ID); err != nil {
		t.Errorf("a publisher's restore in review: %v", err)
	}
}
