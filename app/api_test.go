package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"passhub/app/apptest"
)

func getJSON(t *testing.T, s *apptest.Server, path string, v any, header ...string) int {
	t.Helper()
	res, body := s.Get(t, path, header...)
	if res.StatusCode == 200 || res.StatusCode == 400 || res.StatusCode == 404 {
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("GET %s: content type %q", path, ct)
		}
		if err := json.Unmarshal([]byte(body), v); err != nil {
			t.Fatalf("GET %s: %v in %s", path, err, body)
		}
	}
	return res.StatusCode
}

func TestCatalogueAPI(t *testing.T) {
	s := apptest.Start(t)
	var cat struct {
		TaskForces []struct {
			Code, Title string
			Procedures  []struct {
				Code, Slug, Title string
				AcceptsRequests   *bool `json:"accepts_requests"`
			}
		} `json:"task_forces"`
	}
	if code := getJSON(t, s, "/api/v1/catalogue", &cat); code != 200 {
		t.Fatalf("status %d", code)
	}
	if len(cat.TaskForces) != 6 {
		t.Fatalf("%d task forces", len(cat.TaskForces))
	}
	n, closed := 0, 0
	for _, tf := range cat.TaskForces {
		for _, p := range tf.Procedures {
			n++
			if p.Code == "" || p.Slug == "" || p.Title == "" || p.AcceptsRequests == nil {
				t.Errorf("incomplete procedure %+v", p)
			} else if !*p.AcceptsRequests {
				closed++
			}
		}
	}
	if n != 20 || closed != 1 {
		t.Errorf("%d procedures, %d closed", n, closed)
	}
}

func TestContentAPI(t *testing.T) {
	s := apptest.Start(t)
	type list struct {
		Total, Limit, Offset int
		Items                []struct{ Type, Slug, Title, Date, URL, TaskForce string }
	}
	var l list
	if code := getJSON(t, s, "/api/v1/content?type=news&limit=2", &l); code != 200 || len(l.Items) != 2 || l.Total < 6 || l.Items[0].Date == "" {
		t.Fatalf("news: %d %+v", code, l)
	}
	var page2 list
	getJSON(t, s, "/api/v1/content?type=news&limit=2&offset=2", &page2)
	if len(page2.Items) != 2 || page2.Items[0].Slug == l.Items[0].Slug {
		t.Errorf("offset ignored: %+v", page2)
	}
	var va list
	getJSON(t, s, "/api/v1/content?type=procedure&task_force=va&limit=100", &va)
	if va.Total != 4 {
		t.Errorf("VA procedures: %d", va.Total)
	}
	var dated list
	getJSON(t, s, "/api/v1/content?type=news&since=2030-01-01", &dated)
	if dated.Total != 0 {
		t.Errorf("since filter: %d", dated.Total)
	}
	for _, bad := range []string{"type=nope", "limit=0", "limit=1000", "offset=-1", "since=ieri", "limit=abc"} {
		var e struct{ Error struct{ Message string } }
		if code := getJSON(t, s, "/api/v1/content?"+bad, &e); code != 400 || e.Error.Message == "" {
			t.Errorf("%s: %d %+v", bad, code, e)
		}
	}

	var doc struct {
		Type, Slug, Markdown, HTML, URL string
		Revision                        int
		FrontMatter                     map[string]any `json:"front_matter"`
		Attachments                     []struct{ Name, URL, SHA256 string }
	}
	if code := getJSON(t, s, "/api/v1/content/report/monitoraggio-2025-primo-semestre", &doc); code != 200 {
		t.Fatalf("report: %d", code)
	}
	if doc.Revision != 1 || doc.FrontMatter["title"] == nil || !strings.Contains(doc.HTML, "<table>") || len(doc.Attachments) != 1 || len(doc.Attachments[0].SHA256) != 64 {
		t.Errorf("report doc: %+v", doc)
	}
	if res, _ := s.Get(t, doc.Attachments[0].URL); res.StatusCode != 200 {
		t.Errorf("attachment URL %s = %d", doc.Attachments[0].URL, res.StatusCode)
	}
	var e map[string]any
	for _, p := range []string{"/api/v1/content/nope/x", "/api/v1/content/news/non-esiste"} {
		if code := getJSON(t, s, p, &e); code != 404 {
			t.Errorf("%s = %d", p, code)
		}
	}
}

func TestAPIETags(t *testing.T) {
	s := apptest.Start(t)
	for _, p := range []string{"/api/v1/catalogue", "/api/v1/content?type=guide", "/api/v1/content/guide/primo-accesso"} {
		res, _ := s.Get(t, p)
		etag := res.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", p)
		}
		if res, _ := s.Get(t, p, "If-None-Match", etag); res.StatusCode != 304 {
			t.Errorf("%s with If-None-Match = %d", p, res.StatusCode)
		}
		if res, _ := s.Get(t, p, "If-None-Match", `"other"`); res.StatusCode != 200 {
			t.Errorf("%s with another ETag = %d", p, res.StatusCode)
		}
	}
}

func TestOpenAPIDocument(t *testing.T) {
	s := apptest.Start(t)
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if code := getJSON(t, s, "/api/v1/openapi.json", &doc); code != 200 {
		t.Fatal(code)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	for _, p := range []string{"/api/v1/content", "/api/v1/content/{type}/{slug}", "/api/v1/catalogue"} {
		if doc.Paths[p] == nil {
			t.Errorf("path %s not documented", p)
		}
	}
}
