package apptest

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Scenario is one request of an HTTP test written as a table, and what its answer must hold. A
// domain's package keeps its table beside its handlers, in an external test package
// (package ente_test importing passhub/app/apptest).
type Scenario struct {
	Name string
	// As is the Cookie header of the persona who makes the request (Server.Login's answer), ""
	// for an anonymous visitor.
	As     string
	Method string // GET when empty
	Path   string
	// Form is sent url-encoded. On a method other than GET the fixed CSRF token is added as
	// field and cookie, unless NoCSRF is set or the form carries its own _csrf.
	Form   url.Values
	NoCSRF bool
	Header []string // more headers, alternating name and value; a Cookie here replaces As's
	Lang   string   // the Accept-Language sent ("it", "en"); none when empty

	Status   int               // the status the answer must have
	Location string            // when set, the Location header must be this
	Has      map[string]string // CSS selectors that must match, each with a text its first match holds ("" any)
	Lacks    []string          // CSS selectors that must match nothing
	Text     []string          // text the page's visible text must hold
	NoText   []string          // text it must not hold
	// Check runs last, for what the table cannot say (the database, the mails sent).
	Check func(t *testing.T, res *http.Response, doc *goquery.Document)

	// Events, when not nil, are the names of the domain events the request must have committed,
	// in order ("request.event", "ente.registration.submitted"); an empty, non-nil list says it
	// must have committed none. What background jobs commit meanwhile (the listeners of an
	// earlier event) is not the request's and is not counted.
	Events []string
}

// Parse reads an HTML body into a document for selectors.
func Parse(t testing.TB, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// RunScenarios plays the scenarios in order against s, each as a subtest named after it; they
// share the server, so a scenario sees what the earlier ones changed.
func RunScenarios(t *testing.T, s *Server, scenarios []Scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			t.Helper()
			s.TakeEvents() // what earlier scenarios and the setup produced
			res, body := s.Play(t, sc)
			if sc.Events != nil {
				if got := s.take(false); !slices.Equal(got, sc.Events) {
					t.Errorf("%s %s committed the events %q, want %q", sc.method(), sc.Path, got, sc.Events)
				}
			}
			if res.StatusCode != sc.Status {
				t.Fatalf("%s %s = %d, want %d: %.300s", sc.method(), sc.Path, res.StatusCode, sc.Status, body)
			}
			if sc.Location != "" && res.Header.Get("Location") != sc.Location {
				t.Errorf("%s %s: Location %q, want %q", sc.method(), sc.Path, res.Header.Get("Location"), sc.Location)
			}
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			for sel, want := range sc.Has {
				m := doc.Find(sel)
				if m.Length() == 0 {
					t.Errorf("%s %s: no %q", sc.method(), sc.Path, sel)
					continue
				}
				if got := strings.Join(strings.Fields(m.First().Text()), " "); !strings.Contains(got, want) {
					t.Errorf("%s %s: %q says %q, want %q", sc.method(), sc.Path, sel, got, want)
				}
			}
			for _, sel := range sc.Lacks {
				if n := doc.Find(sel).Length(); n != 0 {
					t.Errorf("%s %s: %d %q, want none", sc.method(), sc.Path, n, sel)
				}
			}
			all := strings.Join(strings.Fields(doc.Find("body").Text()), " ")
			for _, want := range sc.Text {
				if !strings.Contains(all, want) {
					t.Errorf("%s %s: page lacks %q", sc.method(), sc.Path, want)
				}
			}
			for _, not := range sc.NoText {
				if strings.Contains(all, not) {
					t.Errorf("%s %s: page shows %q", sc.method(), sc.Path, not)
				}
			}
			if sc.Check != nil {
				sc.Check(t, res, doc)
			}
		})
	}
}

func (sc Scenario) method() string {
	if sc.Method == "" {
		return http.MethodGet
	}
	return sc.Method
}

// Play sends the scenario's request and returns the answer with its body read, checking nothing.
func (s *Server) Play(t testing.TB, sc Scenario) (*http.Response, string) {
	t.Helper()
	method := sc.method()
	cookie := sc.As
	form := sc.Form
	if method != http.MethodGet && !sc.NoCSRF && form.Get("_csrf") == "" {
		form = url.Values{}
		for k, v := range sc.Form {
			form[k] = v
		}
		form.Set("_csrf", CSRFToken)
		if !strings.Contains(cookie, "csrf=") {
			cookie = strings.TrimPrefix(cookie+"; csrf="+CSRFToken, "; ")
		}
	}
	var req *http.Request
	var err error
	if method == http.MethodGet || method == http.MethodHead {
		path := sc.Path
		if len(form) > 0 {
			path += "?" + form.Encode()
		}
		req, err = http.NewRequest(method, s.URL+path, nil)
	} else {
		req, err = http.NewRequest(method, s.URL+sc.Path, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	if sc.Lang != "" {
		req.Header.Set("Accept-Language", sc.Lang)
	}
	for i := 0; i+1 < len(sc.Header); i += 2 {
		req.Header.Set(sc.Header[i], sc.Header[i+1])
	}
	return s.Do(t, req)
}

// CSRF opens the page at path and returns the Cookie header that carries its CSRF cookie and the
// token of its form, failing unless the cookie is HttpOnly and SameSite=Lax.
func CSRF(t testing.TB, s *Server, path string) (cookie, token string) {
	t.Helper()
	res, body := s.Get(t, path)
	for _, c := range res.Cookies() {
		if c.Name == "csrf" {
			cookie = c.Name + "=" + c.Value
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("csrf cookie flags: %+v", c)
			}
		}
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	token, _ = doc.Find("input[name=_csrf]").Attr("value")
	if cookie == "" || token == "" {
		t.Fatal("no CSRF cookie or token")
	}
	return cookie, token
}

// ContactForm is a contact form that the contact page accepts.
func ContactForm() url.Values {
	return url.Values{"name": {"Maria Rossi"}, "email": {"maria.rossi@comune.esempio.it"}, "ente": {"Comune di Esempio"},
		"subject": {"Informazioni sulla VIA"}, "message": {"Vorremmo sapere come chiedere supporto sulla VIA."}}
}

// ContactMessages is how many contact messages the database holds.
func (s *Server) ContactMessages(t testing.TB) int {
	t.Helper()
	n, err := s.Contact.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
