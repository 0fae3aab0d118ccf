package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"passhub/app/access"
	"passhub/app/apitoken"
	"passhub/app/apptest"
	"passhub/app/content"
)

// untestedResponses are the documented answers the contract test cannot provoke, with why.
var untestedResponses = map[string]string{
	"GET /api/v1/search 503": "needs the search engine down while the server runs",
}

// TestOpenAPIContract: the OpenAPI document, as served, is a valid OpenAPI 3.1 document; it
// documents every /api/v1 route the server has and no other; and real requests to every
// documented route, and the server's real answers, with every documented status, validate against
// it (kin-openapi, JSON Schema 2020-12 for 3.1). An answer the document does not describe, a
// route it lacks, a status nobody exercised: each fails the test, so the document cannot drift.
func TestOpenAPIContract(t *testing.T) {
	s := apptest.Start(t)
	ctx := context.Background()
	res, body := s.Get(t, "/api/v1/openapi.json")
	if res.StatusCode != 200 {
		t.Fatalf("openapi.json = %d", res.StatusCode)
	}
	doc, err := openapi3.NewLoader().LoadFromData([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi %q, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}
	if got := doc.Components.Schemas["Type"].Value.Enum; len(got) != len(content.Types()) {
		t.Errorf("Type enum %v, registry %v", got, content.Types())
	}

	// Every /api/v1 route of the server is documented, and every documented path is a route.
	param := regexp.MustCompile(`:([a-z_]+)`)
	served := map[string]bool{}
	for _, r := range s.Web.App.GetRoutes(true) {
		switch r.Method {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			continue
		}
		if strings.HasPrefix(r.Path, "/api/v1/") {
			served[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
		}
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
			if !served[method+" "+path] {
				t.Errorf("%s %s is documented but not served", method, path)
			}
		}
	}
	for r := range served {
		if !documented[r] {
			t.Errorf("%s is served but not documented", r)
		}
	}

	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	token := func(name string, scopes ...string) []string {
		_, secret, err := s.Tokens.Create(ctx, apitoken.Actor{Name: "test"}, apitoken.Form{Name: name, Scopes: scopes, Days: 7})
		if err != nil {
			t.Fatal(err)
		}
		return []string{"Authorization", "Bearer " + secret}
	}
	reader, drafts, writer := token("reader", access.ScopeReadPublished), token("drafts", access.ScopeReadDrafts),
		token("writer", access.ScopeWriteDrafts, access.ScopePublish)
	garbage := []string{"Authorization", "Bearer pass_garbage"}
	apptest.DraftRevision(t, s.App, content.TypeGuide, "primo-accesso", "Paragrafo in bozza.")

	exercised := map[string]bool{}
	etags := map[string]string{}
	// check sends a request and validates it (unless it breaks the document on purpose: a
	// request of a client that ignores it) and its answer, which must have the status want.
	// send is check for any method, with a JSON body when body is not "".
	var send func(method, path, body string, want int, offSpec bool, header ...string) []byte
	check := func(path string, want int, offSpec bool, header ...string) {
		t.Helper()
		send(http.MethodGet, path, "", want, offSpec, header...)
	}
	send = func(method, path, reqBody string, want int, offSpec bool, header ...string) []byte {
		t.Helper()
		var rd io.Reader
		if reqBody != "" {
			rd = strings.NewReader(reqBody)
		}
		req, err := http.NewRequest(method, s.URL+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		if reqBody != "" {
			req.Header.Set("Content-Type", "application/json")
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(reqBody)), nil }
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Errorf("%s %s: no documented route: %v", method, path, err)
			return nil
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
		if err := openapi3filter.ValidateRequest(ctx, in); (err != nil) != offSpec {
			t.Errorf("%s %s: request validation says %v, want off the document %v", method, path, err, offSpec)
		}
		if reqBody != "" { // the validation read the body
			req.Body = io.NopCloser(strings.NewReader(reqBody))
		}
		res, body := s.Do(t, req)
		if res.StatusCode != want {
			t.Errorf("%s %s %v = %d, want %d: %.300s", method, path, header, res.StatusCode, want, body)
			return nil
		}
		if res.StatusCode == 200 && res.Header.Get("ETag") != "" {
			etags[path] = res.Header.Get("ETag")
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
			Body: io.NopCloser(bytes.NewReader([]byte(body))), Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			t.Errorf("%s %s = %d does not match the document: %v\n%.500s", method, path, res.StatusCode, err, body)
		}
		exercised[method+" "+route.Path+" "+strconv.Itoa(res.StatusCode)] = true
		return []byte(body)
	}

	const guide = "/api/v1/content/guide/primo-accesso"
	check("/api/v1/openapi.json", 200, false)
	check("/api/v1/openapi.json", 401, false, garbage...)
	check("/api/v1/search?q=via", 200, false)
	check("/api/v1/search?q=via&type=procedure&page=1", 200, false, reader...)
	check("/api/v1/search", 400, true)
	check("/api/v1/search?q=via&page=0", 400, true)
	check("/api/v1/search?q=via", 401, false, garbage...)
	check("/api/v1/search?q=via", 403, false, writer...)
	check("/api/v1/content", 200, false)
	check("/api/v1/content?type=news&limit=2&offset=1&since=2020-01-01", 200, false, drafts...)
	check("/api/v1/content", 304, false, "If-None-Match", etags["/api/v1/content"])
	check("/api/v1/content?limit=0", 400, true)
	check("/api/v1/content?since=ieri", 400, true)
	check("/api/v1/content", 401, false, garbage...)
	check("/api/v1/content", 403, false, writer...)
	check(guide, 200, false)
	check("/api/v1/content/report/monitoraggio-2025-primo-semestre", 200, false, reader...)
	check(guide, 304, false, "If-None-Match", etags[guide])
	check(guide+"?revision=current", 200, false, drafts...)
	check(guide+"?revision=old", 400, true)
	check(guide+"?revision=current", 401, false)
	check(guide, 401, false, garbage...)
	check(guide+"?revision=current", 403, false, reader...)
	check(guide, 403, false, writer...)
	check("/api/v1/content/news/non-esiste", 404, false)
	check("/api/v1/content/news/non-esiste?revision=current", 404, false, drafts...)
	check("/api/v1/content/nope/x", 404, true)
	check("/api/v1/catalogue", 200, false)
	check("/api/v1/catalogue", 200, false, reader...)
	check("/api/v1/catalogue", 304, false, "If-None-Match", etags["/api/v1/catalogue"])
	check("/api/v1/catalogue", 401, false, garbage...)
	check("/api/v1/catalogue", 403, false, writer...)

	// The writes: create, update, the steps, and their refusals.
	author, publish := token("author", access.ScopeWriteDrafts), token("publish", access.ScopePublish)
	news := `"fields": {"title": "Contratto API", "summary": "Dal contratto.", "date": "2026-12-04"}, "body": "Testo.\n"`
	var st struct {
		RevisionID int64 `json:"revision_id"`
	}
	if err := json.Unmarshal(send("POST", "/api/v1/content/news", `{"slug": "contratto-api", `+news+`}`, 201, false, author...), &st); err != nil {
		t.Fatal(err)
	}
	first := strconv.FormatInt(st.RevisionID, 10)
	const entry = "/api/v1/content/news/contratto-api"
	send("POST", "/api/v1/content/news", `{`+news+`, "colour": "red"}`, 400, true, author...)
	send("POST", "/api/v1/content/news", `{"fields": {"title": "Senza data", "summary": "s"}}`, 422, false, author...)
	send("POST", "/api/v1/content/news", `{`+news+`}`, 401, false)
	send("POST", "/api/v1/content/news", `{`+news+`}`, 403, false, reader...)
	send("POST", "/api/v1/content/nope", `{`+news+`}`, 404, true, author...)
	if err := json.Unmarshal(send("PUT", entry, `{`+news+`, "base_revision": `+first+`}`, 200, false, author...), &st); err != nil {
		t.Fatal(err)
	}
	second := strconv.FormatInt(st.RevisionID, 10)
	send("PUT", entry, `{`+news+`, "base_revision": `+first+`}`, 409, false, author...)
	send("PUT", entry, `{`+news+`, "base_revision": "uno"}`, 400, true, author...)
	send("PUT", entry, `{"fields": {"title": "Senza data", "summary": "s"}, "base_revision": `+second+`}`, 422, false, author...)
	send("PUT", entry, `{`+news+`, "base_revision": `+second+`}`, 401, false, garbage...)
	send("PUT", entry, `{`+news+`, "base_revision": `+second+`}`, 403, false, publish...)
	send("PUT", "/api/v1/content/news/non-esiste", `{`+news+`, "base_revision": 1}`, 404, false, author...)
	base := `{"base_revision": ` + second + `}`
	send("POST", entry+"/steps/publish", `{"base_revision": `+first+`}`, 409, false, publish...)
	send("POST", entry+"/steps/schedule", `{"base_revision": `+second+`, "publish_at": "2020-01-01T00:00:00Z"}`, 422, false, publish...)
	send("POST", entry+"/steps/submit", `[]`, 400, true, author...)
	send("POST", entry+"/steps/publish", base, 401, false)
	send("POST", entry+"/steps/publish", base, 403, false, author...)
	send("POST", "/api/v1/content/news/non-esiste/steps/submit", `{"base_revision": 1}`, 404, false, author...)
	send("POST", entry+"/steps/submit", base, 200, false, author...)
	send("POST", entry+"/steps/publish", base, 200, false, publish...)
	send("POST", entry+"/steps/request_changes", base, 422, false, publish...)
	send("POST", entry+"/steps/request_changes", `{"base_revision": `+second+`, "comment": "Rivedi."}`, 409, false, publish...)
	send("POST", entry+"/steps/archive", base, 403, false, author...)
	send("POST", entry+"/steps/archive", base, 200, false, publish...)
	var linked struct {
		RevisionID int64 `json:"revision_id"`
	}
	if err := json.Unmarshal(send("POST", "/api/v1/content/news", `{"slug": "contratto-link", "fields": {"title": "Contratto link", "summary": "s", "date": "2026-12-04"}, "body": "[x](/guida/non-esiste)\n"}`, 201, false, author...), &linked); err != nil {
		t.Fatal(err)
	}
	linkedBase := `{"base_revision": ` + strconv.FormatInt(linked.RevisionID, 10)
	send("POST", "/api/v1/content/news/contratto-link/steps/publish", linkedBase+`}`, 422, false, publish...)
	send("POST", "/api/v1/content/news/contratto-link/steps/publish", linkedBase+`, "anyway": true}`, 200, false, publish...)

	// Last, since it closes this address to tokens: too many failures.
	for i := 0; i < apitoken.MaxFailures; i++ {
		_, _ = s.Get(t, "/api/v1/content", garbage...)
	}
	for _, p := range []string{"/api/v1/openapi.json", "/api/v1/search?q=via", "/api/v1/content", guide, "/api/v1/catalogue"} {
		check(p, 429, false, reader...)
	}
	send("POST", "/api/v1/content/news", `{`+news+`}`, 429, false, author...)
	send("PUT", entry, base, 429, false, author...)
	send("POST", entry+"/steps/unpublish", base, 429, false, publish...)

	// Every documented answer was seen.
	var missing []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status := range op.Responses.Map() {
				k := method + " " + path + " " + status
				if !exercised[k] && untestedResponses[k] == "" {
					missing = append(missing, k)
				}
			}
		}
	}
	sort.Strings(missing)
	for _, k := range missing {
		t.Errorf("documented answer never exercised: %s", k)
	}
}

// TestOpenAPIContractFails: the contract test's validation rejects an answer the document does
// not describe, so it can fail.
func TestOpenAPIContractFails(t *testing.T) {
	ctx := context.Background()
	doc, err := openapi3.NewLoader().LoadFromData(apiDocument(t))
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://localhost/api/v1/content/guide/x", nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatal(err)
	}
	validate := func(status int, ct, body string) error {
		return openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
			Status:                 status, Header: http.Header{"Content-Type": {ct}}, Body: io.NopCloser(strings.NewReader(body)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true}})
	}
	for name, c := range map[string]struct {
		status   int
		ct, body string
	}{
		"a Doc without published": {200, "application/json", `{"type":"guide","slug":"x","revision":1,"front_matter":{},"markdown":"","html":"","attachments":[],"url":"/guida/x"}`},
		"a type not registered":   {200, "application/json", `{"type":"ricetta","slug":"x","revision":1,"front_matter":{},"markdown":"","html":"","attachments":[],"url":"/guida/x","published":true}`},
		"a status not documented": {418, "application/json", `{}`},
		"a problem without title": {401, "application/problem+json", `{"type":"about:blank","status":401,"detail":"x","error":{"status":401,"message":"x"}}`},
	} {
		if err := validate(c.status, c.ct, c.body); err == nil {
			t.Errorf("%s passed validation", name)
		}
	}
}

func apiDocument(t *testing.T) []byte {
	t.Helper()
	s := apptest.Start(t, apptest.NoContent)
	_, body := s.Get(t, "/api/v1/openapi.json")
	return []byte(body)
}
