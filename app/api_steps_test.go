package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"passhub/app/access"
	"passhub/app/apptest"
	"passhub/app/audit"
	"passhub/app/content"
)

// TestContentWriteAPISteps: every step of the newsroom's workflow through the API with real
// tokens, with the newsroom's rules: request_changes (a comment required, also on a scheduled
// revision, whose schedule it cancels), schedule, publish, unpublish, archive; a drafts:write
// token is refused the publisher's steps (403 naming content:publish); a step the state does not
// allow is 409.
func TestContentWriteAPISteps(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	writer := apiToken(t, s, "Redazione esterna", access.ScopeWriteDrafts)
	publisher := apiToken(t, s, "Caporedazione esterna", access.ScopePublish)
	it := func(h []string) []string { return append(append([]string{}, h...), "Accept-Language", "it") }

	var st writeState
	res, body := sendJSON(t, s, "POST", "/api/v1/content/news", map[string]any{"slug": "passi-api",
		"fields": map[string]string{"title": "Passi API", "summary": "s", "date": "2026-12-04"}, "body": "Testo.\n"}, &st, writer...)
	if res.StatusCode != 201 {
		t.Fatalf("create = %d %s", res.StatusCode, body)
	}
	rev := st.RevisionID
	steps := "/api/v1/content/news/passi-api/steps/"
	step := func(name string, in map[string]any, token []string, want int, wantState string) writeState {
		t.Helper()
		if in == nil {
			in = map[string]any{}
		}
		in["base_revision"] = rev
		var out writeState
		res, body := sendJSON(t, s, "POST", steps+name, in, &out, it(token)...)
		if res.StatusCode != want || (wantState != "" && out.State != wantState) {
			t.Fatalf("%s = %d %s, want %d %s", name, res.StatusCode, body, want, wantState)
		}
		if want == 403 && !strings.Contains(res.Header.Get("WWW-Authenticate"), `scope="content:publish"`) {
			t.Errorf("%s: WWW-Authenticate %q", name, res.Header.Get("WWW-Authenticate"))
		}
		return out
	}

	step("request_changes", map[string]any{"comment": "Manca la data di scadenza."}, publisher, 409, "") // a draft is not in review
	step("submit", nil, writer, 200, content.StateReview)
	step("request_changes", map[string]any{"comment": "Manca la data di scadenza."}, writer, 403, "")
	p := step("request_changes", map[string]any{"comment": "  "}, publisher, 422, "")
	if len(p.FieldErrors) != 1 || p.FieldErrors[0].Key != "comment" || p.FieldErrors[0].Rule != "required" || p.FieldErrors[0].Message == "" ||
		strings.HasPrefix(p.FieldErrors[0].Message, "newsroom.") {
		t.Errorf("request_changes without a comment: %+v", p.FieldErrors)
	}
	step("request_changes", map[string]any{"comment": "Manca la data di scadenza."}, publisher, 200, content.StateDraft)
	w, err := s.Content.Work(ctx, content.TypeNews, "passi-api")
	if err != nil {
		t.Fatal(err)
	}
	if w.Head.Comment != "Manca la data di scadenza." {
		t.Errorf("comment %q", w.Head.Comment)
	}

	// A scheduled revision sent back: its schedule is gone.
	step("submit", nil, writer, 200, content.StateReview)
	at := time.Now().Add(time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	step("schedule", map[string]any{"publish_at": at}, writer, 403, "")
	if got := step("schedule", map[string]any{"publish_at": at}, publisher, 200, content.StateScheduled); got.PublishAt != at {
		t.Errorf("publish_at %q, want %q", got.PublishAt, at)
	}
	if got := step("request_changes", map[string]any{"comment": "Rimandiamo."}, publisher, 200, content.StateDraft); got.PublishAt != "" {
		t.Errorf("still scheduled at %q after a request for changes", got.PublishAt)
	}

	step("unpublish", nil, publisher, 409, "") // nothing is live
	step("submit", nil, writer, 200, content.StateReview)
	step("publish", nil, publisher, 200, content.StatePublished)
	if r, _ := s.Get(t, "/notizie/passi-api"); r.StatusCode != 200 {
		t.Errorf("public page = %d", r.StatusCode)
	}
	step("archive", nil, writer, 403, "")
	if got := step("archive", nil, publisher, 200, content.StateArchived); got.Published {
		t.Error("archived but still published")
	}
	if r, _ := s.Get(t, "/notizie/passi-api"); r.StatusCode != 404 {
		t.Errorf("public after archiving = %d", r.StatusCode)
	}
	step("archive", nil, publisher, 409, "")
	step("publish", nil, writer, 403, "")

	var actions []string
	if err := s.DB.NewSelect().Model((*audit.Entry)(nil)).Column("action").Where("object_id = ? AND actor LIKE 'API token Caporedazione esterna (#%'", w.Entry.ID).
		Order("id").Scan(ctx, &actions); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(actions, " "); got != "content.request_changes content.schedule content.request_changes content.publish content.unpublish content.archive" {
		t.Errorf("audited as the token: %s", got)
	}
}

// TestContentWriteAPIBrokenLinks: publish and schedule refuse a revision whose internal links
// reach no published page (422 listing them in broken_links), and take it with "anyway": true.
func TestContentWriteAPIBrokenLinks(t *testing.T) {
	s := apptest.Start(t)
	writer := apiToken(t, s, "writer", access.ScopeWriteDrafts)
	publisher := apiToken(t, s, "publisher", access.ScopePublish)
	for _, slug := range []string{"link-rotti-ora", "link-rotti-poi"} {
		var st writeState
		res, body := sendJSON(t, s, "POST", "/api/v1/content/news", map[string]any{"slug": slug,
			"fields": map[string]string{"title": "Link rotti", "summary": "s", "date": "2026-12-04"}, "body": "Vedi [la guida](/guida/non-esiste).\n"}, &st, writer...)
		if res.StatusCode != 201 {
			t.Fatalf("create = %d %s", res.StatusCode, body)
		}
		at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		step, in := "publish", map[string]any{"base_revision": st.RevisionID}
		if slug == "link-rotti-poi" {
			step, in["publish_at"] = "schedule", at
		}
		var p struct {
			Status      int    `json:"status"`
			Detail      string `json:"detail"`
			BrokenLinks []struct {
				Text, Target string
			} `json:"broken_links"`
		}
		path := "/api/v1/content/news/" + slug + "/steps/" + step
		res, body = sendJSON(t, s, "POST", path, in, &p, append(publisher, "Accept-Language", "en")...)
		if res.StatusCode != 422 || len(p.BrokenLinks) != 1 || p.BrokenLinks[0].Target != "/guida/non-esiste" || p.BrokenLinks[0].Text != "la guida" ||
			!strings.Contains(p.Detail, `"anyway": true`) {
			t.Fatalf("%s with a broken link = %d %s", step, res.StatusCode, body)
		}
		in["anyway"] = true
		var done writeState
		res, body = sendJSON(t, s, "POST", path, in, &done, publisher...)
		want := map[string]string{"publish": content.StatePublished, "schedule": content.StateScheduled}[step]
		if res.StatusCode != 200 || done.State != want {
			t.Errorf("%s anyway = %d %s", step, res.StatusCode, body)
		}
	}
}
