package apitoken_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"passhub/app/apitoken"
	"passhub/app/apptest"
	"passhub/app/audit"
	"passhub/app/content"
	"passhub/app/identity"
)

// admin logs an admin in and returns their Cookie header and user id.
func admin(t *testing.T, s *apptest.Server) (string, int64) {
	t.Helper()
	ctx := context.Background()
	cookie := s.Login(t, apptest.FiscalCode("DMNDMN80A01F205"), "Ada", "Admin")
	v, err := s.Identity.Authenticate(ctx, strings.TrimPrefix(strings.Split(cookie, ";")[0], "pass_session="))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Identity.Grant(ctx, identity.Actor{UserID: v.User.ID, Name: "setup"}, v.User.ID, "admin", ""); err != nil {
		t.Fatal(err)
	}
	return cookie, v.User.ID
}

// create makes a token through the admins' page and returns its secret, read from the page.
func create(t *testing.T, s *apptest.Server, cookie, name string, scopes ...string) string {
	t.Helper()
	form := url.Values{"name": {name}, "scope": scopes, "days": {"30"}}
	var secret string
	apptest.RunScenarios(t, s, []apptest.Scenario{{Name: "create " + name, As: cookie, Method: "POST", Path: apitoken.Base, Form: form,
		Status: http.StatusCreated, Has: map[string]string{".pass-token-secret": name, "label[for=token-secret]": ""},
		Check: func(t *testing.T, res *http.Response, doc *goquery.Document) {
			secret, _ = doc.Find("input#token-secret").Attr("value")
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("the page with the secret has Cache-Control %q", cc)
			}
		}}})
	if !strings.HasPrefix(secret, apitoken.Prefix) || len(secret) != len(apitoken.Prefix)+52 {
		t.Fatalf("secret %q", secret)
	}
	return secret
}

// problem reads a 401/403/429 answer: its problem body and challenge.
type problem struct {
	Title, Detail string
	Status        int
	Error         struct{ Message string }
}

func call(t *testing.T, s *apptest.Server, path string, header ...string) (int, http.Header, string) {
	t.Helper()
	res, body := s.Get(t, path, header...)
	return res.StatusCode, res.Header, body
}

func refused(t *testing.T, s *apptest.Server, path string, status int, challenge, detail string, header ...string) {
	t.Helper()
	code, h, body := call(t, s, path, header...)
	if code != status {
		t.Fatalf("GET %s %v = %d, want %d: %s", path, header, code, status, body)
	}
	var p problem
	if ct := h.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("GET %s: content type %q", path, ct)
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil || p.Status != status || p.Title == "" || !strings.Contains(p.Detail, detail) || p.Error.Message != p.Detail {
		t.Errorf("GET %s: problem %+v (%v), want detail with %q", path, p, err, detail)
	}
	if got := h.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer ") || !strings.Contains(got, challenge) {
		t.Errorf("GET %s: WWW-Authenticate %q, want %q", path, got, challenge)
	}
}

// other changes one character of secret after its lookup characters.
func other(secret string) string {
	i := len(apitoken.Prefix) + apitoken.LookupLen + 3
	c := byte('a')
	if secret[i] == 'a' {
		c = 'b'
	}
	return secret[:i] + string(c) + secret[i+1:]
}

func auditCount(t *testing.T, s *apptest.Server, action string) int {
	t.Helper()
	_, n, err := audit.List(context.Background(), s.DB, audit.Filter{Action: action, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTokens: the tokens of the headless API over a real server, from the admins' page to every
// answer the API gives a token.
func TestTokens(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	cookie, _ := admin(t, s)
	reader := create(t, s, cookie, "Sito della Regione", "content:read")
	drafts := create(t, s, cookie, "Anteprima redazione", "drafts:read")
	writer := create(t, s, cookie, "Redazione futura", "drafts:write", "content:publish")
	if auditCount(t, s, "apitoken.create") != 3 {
		t.Errorf("audit entries of creations: %d", auditCount(t, s, "apitoken.create"))
	}

	// The secret is nowhere in the database: only its SHA-256.
	var rows []map[string]any
	if err := s.DB.NewRaw("SELECT * FROM api_tokens").Scan(ctx, &rows); err != nil || len(rows) != 3 {
		t.Fatalf("rows %d: %v", len(rows), err)
	}
	hashes := map[string]bool{}
	for _, row := range rows {
		for col, v := range row {
			for _, secret := range []string{reader, drafts, writer} {
				if strings.Contains(fmt.Sprint(v), secret[len(apitoken.Prefix):]) {
					t.Errorf("column %s holds a secret: %v", col, v)
				}
			}
		}
		hashes[fmt.Sprint(row["secret_hash"])] = true
	}
	for _, secret := range []string{reader, drafts, writer} {
		sum := sha256.Sum256([]byte(secret))
		if !hashes[hex.EncodeToString(sum[:])] {
			t.Errorf("no row holds the SHA-256 of %s…", secret[:9])
		}
	}

	const guide = "/api/v1/content/guide/primo-accesso"
	bearer := func(secret string) []string { return []string{"Authorization", "Bearer " + secret} }
	apptest.DraftRevision(t, s.App, content.TypeGuide, "primo-accesso", "Paragrafo in bozza sulla zanzariera.")

	// No header: public as before, for published content only.
	if code, h, body := call(t, s, guide); code != 200 || strings.Contains(body, "zanzariera") || h.Get("Cache-Control") != "public, max-age=60" || !strings.Contains(h.Get("Vary"), "Authorization") {
		t.Errorf("anonymous: %d %q", code, h.Get("Cache-Control"))
	}
	refused(t, s, guide+"?revision=current", 401, `scope="drafts:read"`, "drafts:read")

	// A valid token reads what its scopes allow, and its use is recorded once a minute at most.
	var doc struct {
		Published bool
		Markdown  string
	}
	code, h, body := call(t, s, guide, bearer(reader)...)
	if code != 200 || json.Unmarshal([]byte(body), &doc) != nil || !doc.Published || strings.Contains(doc.Markdown, "zanzariera") {
		t.Fatalf("reader on the published guide: %d %s", code, body)
	}
	if h.Get("Cache-Control") != "private, no-store" {
		t.Errorf("an answer to a token is cached as %q", h.Get("Cache-Control"))
	}
	lastUsed := func(secret string) time.Time {
		var at time.Time
		sum := sha256.Sum256([]byte(secret))
		if err := s.DB.NewRaw("SELECT last_used_at FROM api_tokens WHERE secret_hash = ?", hex.EncodeToString(sum[:])).Scan(ctx, &at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	first := lastUsed(reader)
	if first.IsZero() || time.Since(first) > time.Minute {
		t.Errorf("last use %v", first)
	}
	time.Sleep(20 * time.Millisecond)
	if code, _, _ := call(t, s, "/api/v1/catalogue", bearer(reader)...); code != 200 {
		t.Errorf("reader on the catalogue: %d", code)
	}
	if again := lastUsed(reader); !again.Equal(first) {
		t.Errorf("last use written again within a minute: %v then %v", first, again)
	}
	refused(t, s, guide+"?revision=current", 403, `error="insufficient_scope", scope="drafts:read"`, "drafts:read", bearer(reader)...)

	// drafts:read reads the current revision, and published content too.
	code, h, body = call(t, s, guide+"?revision=current", bearer(drafts)...)
	if code != 200 || json.Unmarshal([]byte(body), &doc) != nil || doc.Published || !strings.Contains(doc.Markdown, "zanzariera") {
		t.Fatalf("drafts on the current revision: %d %s", code, body)
	}
	if h.Get("Cache-Control") != "private, no-store" {
		t.Errorf("a draft is cached as %q", h.Get("Cache-Control"))
	}
	if code, _, _ := call(t, s, "/api/v1/content?type=guide", bearer(drafts)...); code != 200 {
		t.Errorf("drafts on the list: %d", code)
	}
	// The write scopes read nothing: a token is its scopes, nothing more.
	refused(t, s, guide, 403, `scope="content:read"`, "content:read", bearer(writer)...)
	refused(t, s, "/api/v1/search?q=via", 403, `scope="content:read"`, "content:read", bearer(writer)...)

	// Garbage, other schemes, empty tokens: 401, never anonymous access. A session cookie adds nothing.
	for _, h := range [][]string{
		{"Authorization", "Bearer pass_nope"},
		{"Authorization", "Bearer " + other(reader)}, // right shape and lookup, wrong secret
		{"Authorization", "Bearer "},
		{"Authorization", "Basic " + reader},
		{"Authorization", "Bearer " + strings.ToUpper(reader)},
		{"Authorization", "Bearer pass_nope", "Cookie", cookie},
	} {
		refused(t, s, guide, 401, `error="invalid_token"`, "non è valido", h...)
	}

	// Expired.
	expiring := create(t, s, cookie, "In scadenza", "content:read")
	sum := sha256.Sum256([]byte(expiring))
	if res, err := s.DB.NewUpdate().Table("api_tokens").Set("expires_at = ?", time.Now().UTC().Add(-time.Second)).
		Where("secret_hash = ?", hex.EncodeToString(sum[:])).Exec(ctx); err != nil {
		t.Fatal(err)
	} else if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%d rows expired", n)
	}
	refused(t, s, guide, 401, `error="invalid_token"`, "scaduto", bearer(expiring)...)

	// Revoked, through the confirmation page.
	var id int64
	hsum := sha256.Sum256([]byte(reader))
	if err := s.DB.NewRaw("SELECT id FROM api_tokens WHERE secret_hash = ?", hex.EncodeToString(hsum[:])).Scan(ctx, &id); err != nil {
		t.Fatal(err)
	}
	revoke := fmt.Sprintf("%s/%d/revoca", apitoken.Base, id)
	apptest.RunScenarios(t, s, []apptest.Scenario{
		{Name: "list", As: cookie, Path: apitoken.Base, Status: 200, Has: map[string]string{"tr.pass-token td": "In scadenza"},
			Text: []string{"Sito della Regione", "Scaduto", "Attivo"}, NoText: []string{reader, drafts}},
		{Name: "list in English", As: cookie, Path: apitoken.Base, Lang: "en", Status: 200, Text: []string{"API tokens", "Expired", "Read drafts"}},
		{Name: "confirm", As: cookie, Path: revoke, Status: 200, Has: map[string]string{"h1": "Sito della Regione", "form.pass-confirm button": "Revoca"}},
		{Name: "unconfirmed", As: cookie, Method: "POST", Path: revoke, Status: 303, Location: revoke},
		{Name: "no CSRF", As: cookie, Method: "POST", Path: revoke, Form: url.Values{"confirm": {"1"}}, NoCSRF: true, Status: 403},
		{Name: "revoke", As: cookie, Method: "POST", Path: revoke, Form: url.Values{"confirm": {"1"}}, Status: 303, Location: apitoken.Base},
		{Name: "revoked already", As: cookie, Method: "POST", Path: revoke, Form: url.Values{"confirm": {"1"}}, Status: 404},
		{Name: "no name", As: cookie, Method: "POST", Path: apitoken.Base, Form: url.Values{"name": {" "}, "scope": {"content:read"}, "days": {"30"}},
			Status: 422, Has: map[string]string{".pass-error-summary": "nome", "#token-name[aria-invalid=true]": ""}},
		{Name: "no scope", As: cookie, Method: "POST", Path: apitoken.Base, Form: url.Values{"name": {"x"}, "days": {"30"}}, Status: 422,
			Has: map[string]string{".pass-error-summary": "ambiti"}},
		{Name: "unknown scope", As: cookie, Method: "POST", Path: apitoken.Base, Form: url.Values{"name": {"x"}, "scope": {"admin"}, "days": {"30"}}, Status: 422},
		{Name: "too long", As: cookie, Method: "POST", Path: apitoken.Base, Form: url.Values{"name": {"x"}, "scope": {"content:read"}, "days": {"3650"}},
			Status: 422, Has: map[string]string{".pass-error-summary": "durate"}},
	})
	refused(t, s, guide, 401, `error="invalid_token"`, "revocato", bearer(reader)...)
	if auditCount(t, s, "apitoken.revoke") != 1 || auditCount(t, s, "apitoken.create") != 4 {
		t.Errorf("audit: %d revocations, %d creations", auditCount(t, s, "apitoken.revoke"), auditCount(t, s, "apitoken.create"))
	}
	// The same form sent twice (a reload of the page with the secret) makes one token.
	form := url.Values{"name": {"Doppio invio"}, "scope": {"content:read"}, "days": {"7"}, "_once": {"AAAAAAAAAAAAAAAAAAAAAAAA"}}
	apptest.RunScenarios(t, s, []apptest.Scenario{
		{Name: "first submission", As: cookie, Method: "POST", Path: apitoken.Base, Form: form, Status: 201, Has: map[string]string{"#token-secret": ""}},
		{Name: "second submission", As: cookie, Method: "POST", Path: apitoken.Base, Form: form, Status: 303, Location: apitoken.Base},
	})
	if n, err := s.DB.NewSelect().Table("api_tokens").Where("name = ?", "Doppio invio").Count(ctx); err != nil || n != 1 {
		t.Errorf("%d tokens from one form sent twice (%v)", n, err)
	}
	// The others still work.
	if code, _, _ := call(t, s, guide+"?revision=current", bearer(drafts)...); code != 200 {
		t.Errorf("drafts after another token's revocation: %d", code)
	}
}

// TestTokenFailuresThrottled: an address that sent too many bad tokens is refused, even a good
// token, while other requests of the API stay open.
func TestTokenFailuresThrottled(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	cookie, _ := admin(t, s)
	good := create(t, s, cookie, "Buono", "content:read")
	for i := 0; i < apitoken.MaxFailures; i++ {
		if code, _, _ := call(t, s, "/api/v1/content", "Authorization", "Bearer pass_guess"); code != 401 {
			t.Fatalf("failure %d = %d", i+1, code)
		}
	}
	for _, secret := range []string{"pass_guess", good} {
		code, h, body := call(t, s, "/api/v1/content", "Authorization", "Bearer "+secret)
		if code != 429 || h.Get("Retry-After") == "" || !strings.Contains(body, "Troppi") {
			t.Errorf("after %d failures: %d %q %s", apitoken.MaxFailures, code, h.Get("Retry-After"), body)
		}
	}
	if code, _, _ := call(t, s, "/api/v1/content"); code != 200 {
		t.Errorf("without a token: %d", code)
	}
}
