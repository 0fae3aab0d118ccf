package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"passhub/app/access"
	"passhub/app/apitoken"
	"passhub/app/apptest"
	"passhub/app/audit"
	"passhub/app/content"
)

// sendJSON sends method path with a JSON body and returns the answer decoded into v (when not nil).
func sendJSON(t *testing.T, s *apptest.Server, method, path string, body any, v any, header ...string) (*http.Response, string) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, text := s.Do(t, req)
	if v != nil {
		if err := json.Unmarshal([]byte(text), v); err != nil {
			t.Fatalf("%s %s = %d: %v in %s", method, path, res.StatusCode, err, text)
		}
	}
	return res, text
}

// apiToken creates a token with scopes and returns its Authorization header.
func apiToken(t *testing.T, s *apptest.Server, name string, scopes ...string) []string {
	t.Helper()
	_, secret, err := s.Tokens.Create(context.Background(), apitoken.Actor{Name: "test"}, apitoken.Form{Name: name, Scopes: scopes, Days: 7})
	if err != nil {
		t.Fatal(err)
	}
	return []string{"Authorization", "Bearer " + secret}
}

type writeState struct {
	Slug        string `json:"slug"`
	RevisionID  int64  `json:"revision_id"`
	State       string `json:"state"`
	Published   bool   `json:"published"`
	PublishAt   string `json:"publish_at"`
	URL         string `json:"url"`
	Status      int    `json:"status"`
	CurrentRev  int64  `json:"current_revision_id"`
	FieldErrors []struct {
		Key, Rule, Message string
	} `json:"errors"`
}

// TestContentWriteAPI: a draft written through the API goes the newsroom's way: created,
// updated, refused on a stale base (409 naming the current revision), submitted with the writing
// token, published with the publishing token; then the public page and the GET API show it. The
// revisions and the audit name the token.
func TestContentWriteAPI(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	writer := apiToken(t, s, "Sito regionale", access.ScopeWriteDrafts)
	publisher := apiToken(t, s, "Caporedazione", access.ScopePublish)
	fields := map[string]string{"title": "Bando API per i comuni", "summary": "Scritta dalle API.", "date": "2026-12-04", "tags": "api\nbandi"}

	var st writeState
	res, body := sendJSON(t, s, "POST", "/api/v1/content/news", map[string]any{"fields": fields, "body": "Prima stesura.\n"}, &st, writer...)
	if res.StatusCode != 201 || st.Slug != "bando-api-per-i-comuni" || st.State != content.StateDraft || st.Published || st.RevisionID == 0 {
		t.Fatalf("create = %d %s", res.StatusCode, body)
	}
	if res.Header.Get("Location") != "/notizie/bando-api-per-i-comuni" && !strings.HasSuffix(res.Header.Get("Location"), st.URL) {
		t.Errorf("Location %q, url %q", res.Header.Get("Location"), st.URL)
	}
	path := "/api/v1/content/news/" + st.Slug
	first := st.RevisionID

	fields["summary"] = "Seconda stesura."
	res, body = sendJSON(t, s, "PUT", path, map[string]any{"fields": fields, "body": "Seconda stesura.\n", "base_revision": first}, &st, writer...)
	if res.StatusCode != 200 || st.RevisionID == first || st.State != content.StateDraft {
		t.Fatalf("update = %d %s", res.StatusCode, body)
	}
	second := st.RevisionID

	// A client still on the first revision: 409, with the current one.
	var stale writeState
	res, body = sendJSON(t, s, "PUT", path, map[string]any{"fields": fields, "body": "Altro.\n", "base_revision": first}, &stale, writer...)
	if res.StatusCode != 409 || stale.CurrentRev != second || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("stale update = %d %s", res.StatusCode, body)
	}

	// The writer may not publish; the publisher may not write.
	res, _ = sendJSON(t, s, "POST", path+"/steps/publish", map[string]any{"base_revision": second}, nil, writer...)
	if res.StatusCode != 403 || !strings.Contains(res.Header.Get("WWW-Authenticate"), `scope="content:publish"`) {
		t.Errorf("writer publishes = %d %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
	}
	res, _ = sendJSON(t, s, "PUT", path, map[string]any{"fields": fields, "base_revision": second}, nil, publisher...)
	if res.StatusCode != 403 || !strings.Contains(res.Header.Get("WWW-Authenticate"), `scope="drafts:write"`) {
		t.Errorf("publisher writes = %d", res.StatusCode)
	}

	res, body = sendJSON(t, s, "POST", path+"/steps/submit", map[string]any{"base_revision": second}, &st, writer...)
	if res.StatusCode != 200 || st.State != content.StateReview {
		t.Fatalf("submit = %d %s", res.StatusCode, body)
	}
	if r, _ := s.Get(t, "/notizie/"+st.Slug); r.StatusCode != 404 {
		t.Errorf("public before publication: %d", r.StatusCode)
	}
	res, body = sendJSON(t, s, "POST", path+"/steps/publish", map[string]any{"base_revision": second}, &st, publisher...)
	if res.StatusCode != 200 || st.State != content.StatePublished || !st.Published {
		t.Fatalf("publish = %d %s", res.StatusCode, body)
	}
	if r, page := s.Get(t, "/notizie/"+st.Slug); r.StatusCode != 200 || !strings.Contains(page, "Bando API per i comuni") {
		t.Errorf("public page = %d", r.StatusCode)
	}
	var doc struct {
		Markdown  string `json:"markdown"`
		Published bool   `json:"published"`
	}
	if code := getJSON(t, s, path, &doc); code != 200 || !doc.Published || !strings.Contains(doc.Markdown, "Seconda stesura.") {
		t.Errorf("GET API = %d %+v", code, doc)
	}

	// Who did it: the tokens, by name and id.
	w, err := s.Content.Work(ctx, content.TypeNews, st.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(w.Head.Author, "API token Sito regionale (#") {
		t.Errorf("revision author %q", w.Head.Author)
	}
	var actors []string
	if err := s.DB.NewSelect().Model((*audit.Entry)(nil)).Column("actor").Where("object_id = ? AND action = 'content.publish'", w.Entry.ID).
		Scan(ctx, &actors); err != nil || len(actors) != 1 || !strings.HasPrefix(actors[0], "API token Caporedazione (#") {
		t.Errorf("publication audited as %v %v", actors, err)
	}

	// Unpublish with the publishing token: the page goes away.
	res, body = sendJSON(t, s, "POST", path+"/steps/unpublish", map[string]any{"base_revision": second}, &st, publisher...)
	if res.StatusCode != 200 || st.Published {
		t.Fatalf("unpublish = %d %s", res.StatusCode, body)
	}
	if r, _ := s.Get(t, "/notizie/"+st.Slug); r.StatusCode != 404 {
		t.Errorf("public after unpublication: %d", r.StatusCode)
	}
	// The events' listeners took a token as actor without failing (no user to tell but the publishers).
	apptest.Idle(t, s.App)
	if n := count(t, s.DB, "SELECT count(*) FROM river_job WHERE state IN ('retryable', 'discarded')"); n != 0 {
		t.Errorf("%d failed jobs", n)
	}
}

// TestContentWriteAPIRefusals: validation and schedule errors are 422 problems with one entry
// per field in the request's language; writes without a token are 401, even with a session and
// its CSRF token; CSRF still guards the newsroom's forms when a Bearer header comes along.
func TestContentWriteAPIRefusals(t *testing.T) {
	s := apptest.Start(t)
	writer := apiToken(t, s, "writer", access.ScopeWriteDrafts)
	publisher := apiToken(t, s, "publisher", access.ScopePublish)

	var p writeState
	res, body := sendJSON(t, s, "POST", "/api/v1/content/news", map[string]any{"fields": map[string]string{"title": "Senza data", "summary": "s"}},
		&p, append(writer, "Accept-Language", "it")...)
	if res.StatusCode != 422 || len(p.FieldErrors) != 1 || p.FieldErrors[0].Key != "date" || p.FieldErrors[0].Rule != "required" ||
		p.FieldErrors[0].Message != "Questo campo è obbligatorio." {
		t.Errorf("invalid draft = %d %s", res.StatusCode, body)
	}
	res, body = sendJSON(t, s, "POST", "/api/v1/content/news", map[string]any{"fields": map[string]string{"title": "Senza data", "summary": "s"}},
		&p, append(writer, "Accept-Language", "en")...)
	if res.StatusCode != 422 || len(p.FieldErrors) != 1 || p.FieldErrors[0].Message != "This field is required." {
		t.Errorf("invalid draft, English = %d %s", res.StatusCode, body)
	}

	var st writeState
	res, body = sendJSON(t, s, "POST", "/api/v1/content/news", map[string]any{"slug": "in-programma",
		"fields": map[string]string{"title": "In programma", "summary": "s", "date": "2026-12-04"}, "body": "Testo.\n"}, &st, writer...)
	if res.StatusCode != 201 {
		t.Fatalf("create = %d %s", res.StatusCode, body)
	}
	steps := "/api/v1/content/news/in-programma/steps/"
	past := time.Now().Add(-time.Hour).Format(time.RFC3339)
	res, body = sendJSON(t, s, "POST", steps+"schedule", map[string]any{"base_revision": st.RevisionID, "publish_at": past}, &p, publisher...)
	if res.StatusCode != 422 || len(p.FieldErrors) != 1 || p.FieldErrors[0].Key != "publish_at" || p.FieldErrors[0].Rule != "future" {
		t.Errorf("schedule in the past = %d %s", res.StatusCode, body)
	}
	res, body = sendJSON(t, s, "POST", steps+"schedule", map[string]any{"base_revision": st.RevisionID, "publish_at": "domani"}, &p, publisher...)
	if res.StatusCode != 422 || len(p.FieldErrors) != 1 || p.FieldErrors[0].Rule != "time" {
		t.Errorf("schedule not RFC 3339 = %d %s", res.StatusCode, body)
	}

	// A scheduled publication is made by the job at its time.
	at := time.Now().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
	res, body = sendJSON(t, s, "POST", steps+"schedule", map[string]any{"base_revision": st.RevisionID, "publish_at": at.Format(time.RFC3339)}, &st, publisher...)
	if res.StatusCode != 200 || st.State != content.StateScheduled || st.PublishAt != at.UTC().Format(time.RFC3339) {
		t.Fatalf("schedule = %d %s", res.StatusCode, body)
	}
	if r, _ := s.Get(t, "/notizie/in-programma"); r.StatusCode != 404 {
		t.Errorf("public before its time: %d", r.StatusCode)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if r, _ := s.Get(t, "/notizie/in-programma"); r.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the scheduled publication never ran")
		}
	}

	// No token: 401, also with a logged-in session and its CSRF token.
	res, _ = sendJSON(t, s, "POST", "/api/v1/content/news", map[string]any{"fields": map[string]string{"title": "x"}}, nil)
	if res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("no token = %d", res.StatusCode)
	}
	staff := s.Login(t, apptest.FiscalCode("RDTRDT80A01F205"), "Giovanni", "Redattore")
	res, _ = sendJSON(t, s, "POST", "/api/v1/content/news", map[string]any{"fields": map[string]string{"title": "x"}}, nil,
		"Cookie", staff, "X-CSRF-Token", apptest.CSRFToken)
	if res.StatusCode != 401 {
		t.Errorf("session and CSRF, no token = %d", res.StatusCode)
	}
	res, _ = sendJSON(t, s, "POST", "/api/v1/content/news", map[string]any{"fields": map[string]string{"title": "x"}}, nil,
		"Authorization", "Bearer pass_garbage")
	if res.StatusCode != 401 || !strings.Contains(res.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("bad token = %d", res.StatusCode)
	}
	// A Bearer header does not lift CSRF from the newsroom's forms.
	res, _ = s.PostForm(t, "/redazione/nuovo/news", url.Values{"title": {"x"}}, append([]string{"Cookie", staff}, writer...)...)
	if res.StatusCode != 403 {
		t.Errorf("newsroom form with a Bearer header and no CSRF token = %d", res.StatusCode)
	}
}
