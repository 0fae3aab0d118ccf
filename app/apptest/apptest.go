// Package apptest starts a real passhub for tests: a fresh database (a SQLite file, or its own
// schema or database in the PostgreSQL named by PASSHUB_TEST_DATABASE_URL), migrations applied,
// the shipped content imported, and the web server listening on a loopback port.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"passhub/app"
	"passhub/app/auth"
	"passhub/app/config"
	"passhub/app/content"
	"passhub/app/demo"
	"passhub/app/ente"
	"passhub/app/ente/devsign"
	"passhub/app/event"
	"passhub/app/identity"
	"passhub/app/jobs"
	_ "passhub/plugins/all" // identity providers, storage, mail
)

// EnvDatabaseURL names the variable that switches the tests to PostgreSQL.
const EnvDatabaseURL = "PASSHUB_TEST_DATABASE_URL"

// Root returns the repository's root folder.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// ContentDir is the shipped content folder.
func ContentDir() string { return filepath.Join(Root(), "content") }

// Server is a running passhub.
type Server struct {
	*app.App
	URL    string
	Client *http.Client

	mu     sync.Mutex
	events []committed // the events committed since the last TakeEvents
}

// committed is an event a test saw committed, and whether a background job committed it.
type committed struct {
	name  string
	inJob bool
}

// TakeEvents returns the names of the domain events committed since the last call, in order,
// and forgets them.
func (s *Server) TakeEvents() []string { return s.take(true) }

// take returns and forgets the events committed since the last take; those background jobs
// committed (the listeners of earlier events, which run when they run) only when withJobs.
func (s *Server) take(withJobs bool) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, ev := range s.events {
		if withJobs || !ev.inJob {
			names = append(names, ev.name)
		}
	}
	s.events = nil
	return names
}

// Option changes the configuration before the app starts.
type Option func(*config.Config)

// WebhookKey is the key that encrypts the webhook secrets of test servers (PASSHUB_WEBHOOK_KEY),
// set so that production-mode tests start and tests can open what the database holds.
const WebhookKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"

// Config returns a test configuration: dev mode, a temporary data dir, the test database.
func Config(t testing.TB, opts ...Option) config.Config {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.ContentDir = ContentDir()
	cfg.DatabaseURL = DatabaseURL(t)
	cfg.LogLevel = "warn"
	cfg.JobsPoll = 20 * time.Millisecond
	cfg.WebhookKey = WebhookKey
	cfg.StatsFreshness = 0 // figures follow every change at once
	for _, o := range opts {
		o(&cfg)
	}
	cfg.Derive()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("test config: %v", err)
	}
	return cfg
}

// New builds an App on a fresh database with migrations applied and content imported.
func New(t testing.TB, opts ...Option) *app.App {
	t.Helper()
	cfg := Config(t, opts...)
	fromTemplate(t, &cfg) // the database and index start as a copy: see template.go
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx := context.Background()
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if err := a.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := a.StartJobs(ctx); err != nil {
		t.Fatalf("jobs: %v", err)
	}
	if cfg.ContentDir != "" {
		rep, err := a.ImportContent(ctx, cfg.ContentDir)
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		if len(rep.Errors) > 0 {
			t.Fatalf("import: %d files not imported, first: %v", len(rep.Errors), rep.Errors[0])
		}
	}
	Idle(t, a) // the content is in the search index
	return a
}

// Idle waits until the app's jobs (e-mail, search index) are all done.
func Idle(t testing.TB, a *app.App) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second) // a loaded machine runs the full suite
	defer cancel()
	if err := a.Jobs.WaitIdle(ctx); err != nil {
		busy, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		t.Fatalf("jobs not done: %v; still there: %v", err, a.Jobs.Busy(busy))
	}
}

// Start builds an App as New does and serves it on a loopback port until the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	base := "http://" + ln.Addr().String()
	opts = append([]Option{func(c *config.Config) { c.BaseURL = base }}, opts...)
	a := New(t, opts...)
	w, err := a.Handler()
	if err != nil {
		t.Fatalf("handler: %v", err)
	}
	go func() { _ = w.App.Listener(ln) }()
	t.Cleanup(func() { _ = w.App.ShutdownWithTimeout(5 * time.Second) })
	s := &Server{App: a, URL: base, Client: &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	a.Events.Observe(func(ctx context.Context, ev event.Event) {
		s.mu.Lock()
		s.events = append(s.events, committed{ev.EventName(), strings.HasPrefix(jobs.EventKey(ctx), "job:")})
		s.mu.Unlock()
	})
	return s
}

// Get fetches path and returns the response with its body read.
func (s *Server) Get(t testing.TB, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.Do(t, req)
}

// Do sends req and returns the response with its body read.
func (s *Server) Do(t testing.TB, req *http.Request) (*http.Response, string) {
	t.Helper()
	res, err := s.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", req.Method, req.URL.Path, err)
	}
	return res, string(body)
}

// PostForm sends a form with the given cookies and headers (alternating name, value).
func (s *Server) PostForm(t testing.TB, path string, form url.Values, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.Do(t, req)
}

// OnPostgres reports whether the tests run on PostgreSQL.
func OnPostgres() bool { return os.Getenv(EnvDatabaseURL) != "" }

// NoContent starts the app without importing the shipped content.
func NoContent(c *config.Config) { c.ContentDir = "" }

// Login opens a session for the person with fiscalCode as an identity provider would after a
// successful exchange, and returns the Cookie header that carries it and a CSRF token.
func (s *Server) Login(t testing.TB, fiscalCode, name, familyName string) (cookie string) {
	t.Helper()
	_, token, err := s.Identity.Login(context.Background(), auth.Identity{FiscalCode: fiscalCode, Name: name,
		FamilyName: familyName, Email: strings.ToLower(name) + "@example.it", Method: "spid", Issuer: "test", Level: 2}, identity.Client{IP: "127.0.0.1"})
	if err != nil {
		t.Fatalf("login %s: %v", fiscalCode, err)
	}
	return "pass_session=" + token + "; csrf=" + CSRFToken
}

// CSRFToken is a fixed double-submit token that tests send as cookie and field.
const CSRFToken = "testtesttesttesttesttesttesttesttesttesttes"

// FiscalCode completes 15 characters with their check character.
func FiscalCode(first15 string) string { return first15 + string(auth.CheckChar(first15)) }

// ApprovedEnte puts an ente in the registry and makes the user its approved legal
// representative, as a registration with the protocol and an admin's approval would.
func ApprovedEnte(t testing.TB, a *app.App, istat, name, province string, legalRep int64) *ente.Ente {
	t.Helper()
	ctx := context.Background()
	if _, err := a.Enti.Import(ctx, []ente.Ente{{ISTAT: istat, Name: name, Kind: ente.KindComune, Province: province}}); err != nil {
		t.Fatal(err)
	}
	e, err := a.Enti.ByISTAT(ctx, istat)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := a.Enti.Register(ctx, ente.Actor{UserID: legalRep}, ente.RegistrationForm{EnteID: e.ID, Role: ente.RoleSindaco,
		Email: "protocollo@comune.example.it", PEC: "comune@pec.example.it"}, "protocollo.pdf", ProtocolFor(t, a, legalRep, e.ID))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Enti.Approve(ctx, ente.Actor{}, reg.ID); err != nil {
		t.Fatal(err)
	}
	e, _ = a.Enti.ByISTAT(ctx, istat)
	return e
}

var testCA struct {
	once sync.Once
	ca   *devsign.CA
	err  error
}

// TestCA is the certification authority of the tests' signatures, made once per process.
func TestCA(t testing.TB) *devsign.CA {
	t.Helper()
	testCA.once.Do(func() { testCA.ca, testCA.err = devsign.NewCA("PAsS Test Qualified CA") })
	if testCA.err != nil {
		t.Fatal(testCA.err)
	}
	return testCA.ca
}

// Protocol returns the ente's Protocollo di Collaborazione signed in PAdES by the person with
// fiscalCode, with a certificate of TestCA.
func Protocol(t testing.TB, e *ente.Ente, fiscalCode string) []byte {
	t.Helper()
	return sign(t, e, fiscalCode, (*devsign.Signer).PAdES)
}

// ProtocolFor is the protocol of the ente with enteID signed in PAdES by the user with userID,
// as their registration needs it.
func ProtocolFor(t testing.TB, a *app.App, userID, enteID int64) []byte {
	t.Helper()
	ctx := context.Background()
	var code string
	if err := a.DB.NewSelect().Table("users").Column("fiscal_code").Where("id = ?", userID).Scan(ctx, &code); err != nil {
		t.Fatal(err)
	}
	e, err := a.Enti.Ente(ctx, enteID)
	if err != nil {
		t.Fatal(err)
	}
	return Protocol(t, e, code)
}

// ProtocolP7M is Protocol in CAdES: a .p7m envelope holding the PDF.
func ProtocolP7M(t testing.TB, e *ente.Ente, fiscalCode string) []byte {
	t.Helper()
	return sign(t, e, fiscalCode, (*devsign.Signer).CAdES)
}

func sign(t testing.TB, e *ente.Ente, fiscalCode string, how func(*devsign.Signer, []byte) ([]byte, error)) []byte {
	t.Helper()
	if e == nil {
		e = &ente.Ente{Name: "Comune di Prova", Kind: ente.KindComune, ISTAT: "000000"}
	}
	pdf, err := ente.ProtocolTemplate(e, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s, err := TestCA(t).Issue("Firmatario", "Di Prova", fiscalCode)
	if err != nil {
		t.Fatal(err)
	}
	out, err := how(s, pdf)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// DemoEnti imports the two comuni the demo's people belong to: Cantù (013041) and Milano (015146).
func DemoEnti(t testing.TB, a *app.App) {
	t.Helper()
	if _, err := a.Enti.Import(context.Background(), []ente.Ente{
		{ISTAT: "013041", Name: "Cantù", Kind: ente.KindComune, Province: "CO"},
		{ISTAT: "015146", Name: "Milano", Kind: ente.KindComune, Province: "MI"},
	}); err != nil {
		t.Fatal(err)
	}
}

// DemoPeople are the demo's personas with valid fiscal codes: the registered mayor, the two
// delegates, the PM, the admin and the expert, in that order.
func DemoPeople() []demo.Person {
	return []demo.Person{
		{Key: "sindaco-registrato", FiscalCode: FiscalCode("RSSMRA80A01F205"), Name: "Mario", FamilyName: "Rossi"},
		{Key: "delegato", FiscalCode: FiscalCode("BNCGLI75M41L219"), Name: "Giulia", FamilyName: "Bianchi"},
		{Key: "delegato-altro-ente", FiscalCode: FiscalCode("NRIPLA85C10F205"), Name: "Paolo", FamilyName: "Neri"},
		{Key: "pm", FiscalCode: FiscalCode("PMPMPM80A01F205"), Name: "Piera", FamilyName: "Manzoni"},
		{Key: "admin", FiscalCode: FiscalCode("DMNDMN80A01F205"), Name: "Ada", FamilyName: "Admin"},
		{Key: "esperto", FiscalCode: FiscalCode("SPRSPR80A01F205"), Name: "Luca", FamilyName: "Costa"},
	}
}

// DraftRevision stores a new current revision of an existing entry, its published source with
// text appended, without publishing it: a draft, as the newsroom will save them.
func DraftRevision(t testing.TB, a *app.App, typ content.Type, slug, text string) {
	t.Helper()
	ctx := context.Background()
	st := content.Store{}
	e, err := st.Entry(ctx, a.DB, typ, slug)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := st.Revision(ctx, a.DB, e.PublishedRevisionID)
	if err != nil {
		t.Fatal(err)
	}
	rev := &content.Revision{EntryID: e.ID, Source: pub.Source + "\n\n" + text + "\n", Hash: "draft", Origin: content.OriginEditor,
		Author: "test", CreatedAt: time.Now().UTC()}
	if err := st.InsertRevision(ctx, a.DB, rev); err != nil {
		t.Fatal(err)
	}
	e.CurrentRevisionID = rev.ID
	if err := st.UpdateEntry(ctx, a.DB, e); err != nil {
		t.Fatal(err)
	}
}
