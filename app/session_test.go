package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/request"
)

// clock is a movable clock for the identity service's sessions.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func cookieOf(res *http.Response, name string) string {
	for _, c := range res.Cookies() {
		if c.Name == name && c.Value != "" {
			return "; " + name + "=" + c.Value
		}
	}
	return ""
}

// TestPollingDoesNotKeepASessionAlive checks that the requests a page makes by itself (the bell's
// poll, live updates, the session's status) do not count as activity, while opening a page does.
func TestPollingDoesNotKeepASessionAlive(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	c := &clock{now: time.Now().UTC()}
	s.Identity.SetClock(c.Now)
	idle := s.Config.SessionIdle
	polled := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	used := s.Login(t, apptest.FiscalCode("BNCGLI75M41L219"), "Giulia", "Bianchi")
	c.Add(idle - 5*time.Minute)
	for _, p := range []string{"/area-riservata/notifiche/conteggio", "/area-riservata/sessione"} {
		if res, _ := s.Get(t, p, "Cookie", polled); res.StatusCode != 200 {
			t.Fatalf("%s: %d", p, res.StatusCode)
		}
	}
	if res, _ := s.Get(t, "/area-riservata", "Cookie", used); res.StatusCode != 200 {
		t.Fatalf("page: %d", res.StatusCode)
	}
	c.Add(6 * time.Minute) // idle + 1m after login
	res, _ := s.Get(t, "/area-riservata", "Cookie", polled)
	if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "motivo=scaduta") {
		t.Errorf("a session only polled is still alive, or its end is not said: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := s.Get(t, "/area-riservata", "Cookie", used); res.StatusCode != 200 {
		t.Errorf("a session used 6 minutes ago ended: %d", res.StatusCode)
	}
}

// TestSessionNoticeAndExtend checks that every reserved page says when its session ends, idle and
// absolute, and that extending it (with and without JavaScript) moves the idle end.
func TestSessionNoticeAndExtend(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	c := &clock{now: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)} // 10:00 in Rome
	s.Identity.SetClock(c.Now)
	cookie := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	_, body := s.Get(t, "/area-riservata", "Cookie", cookie, "Accept-Language", "it")
	doc := parse(t, body)
	n := doc.Find("#session-notice")
	if n.AttrOr("data-idle-in", "") != "1800" || n.AttrOr("data-absolute-in", "") != "43200" || n.AttrOr("data-warn-in", "") != "300" {
		t.Errorf("notice data: idle %s absolute %s warn %s", n.AttrOr("data-idle-in", ""), n.AttrOr("data-absolute-in", ""), n.AttrOr("data-warn-in", ""))
	}
	if txt := n.Find("#session-notice-text").Text(); !strings.Contains(txt, "alle 10:30") || !strings.Contains(txt, "comunque alle 22:00") {
		t.Errorf("notice says %q", txt)
	}
	if doc.Find("dialog#session-dialog").Length() != 1 || doc.Find("script[src*='session.js']").Length() != 1 {
		t.Error("no warning dialog for the script")
	}
	// With JavaScript: the script asks for the new times.
	c.Add(20 * time.Minute)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/area-riservata/sessione", nil)
	req.Header.Set("Cookie", cookie)
	req.Header.Set("X-CSRF-Token", apptest.CSRFToken)
	req.Header.Set("Accept", "application/json")
	res, body := s.Do(t, req)
	var st struct {
		IdleIn     int    `json:"idle_in"`
		AbsoluteIn int    `json:"absolute_in"`
		IdleAt     string `json:"idle_at"`
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil || res.StatusCode != 200 || st.IdleIn != 1800 || st.AbsoluteIn != 43200-1200 || st.IdleAt != "10:50" {
		t.Fatalf("extend: %d %s %v", res.StatusCode, body, err)
	}
	c.Add(25 * time.Minute) // 45 minutes after login, 25 after the extension
	if res, _ := s.Get(t, "/area-riservata/sessione", "Cookie", cookie); res.StatusCode != 200 {
		t.Fatalf("extended session ended: %d", res.StatusCode)
	}
	// Without JavaScript: a form that comes back to the page with a message.
	res, _ = s.PostForm(t, "/area-riservata/sessione", map[string][]string{"_csrf": {apptest.CSRFToken}, "back": {"/area-riservata/richieste"}}, "Cookie", cookie)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/area-riservata/richieste" || flashCookie(res) == "" {
		t.Errorf("extend without JavaScript: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	// Near the absolute limit the notice says it, and extending does not move it.
	for i := 0; i < 33; i++ { // used every 20 minutes until 11h45m after login
		c.Add(20 * time.Minute)
		if res, _ := s.Get(t, "/area-riservata/richieste", "Cookie", cookie); res.StatusCode != 200 {
			t.Fatalf("used session ended after %d uses: %d", i, res.StatusCode)
		}
	}
	c.Add(10 * time.Minute) // 11h55m after login: five minutes left
	_, body = s.Get(t, "/area-riservata", "Cookie", cookie, "Accept-Language", "it")
	n = parse(t, body).Find("#session-notice")
	if n.AttrOr("data-absolute-in", "") != "300" || n.AttrOr("data-idle-in", "") != "300" {
		t.Errorf("near the absolute limit: idle %s absolute %s", n.AttrOr("data-idle-in", ""), n.AttrOr("data-absolute-in", ""))
	}
}

// TestFormPostedAfterTheSessionEndedIsKept posts a message after the idle timeout: nothing is
// stored, the author is sent to log in, and after the login finds the form filled with what they
// typed, which sends it; nobody else can see it.
func TestFormPostedAfterTheSessionEndedIsKept(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t)
	ctx := context.Background()
	c := &clock{now: time.Now().UTC()}
	s.Identity.SetClock(c.Now)
	mayor := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	mayorID := userOf(t, s, mayor)
	cantu := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", mayorID)
	r, err := s.Requests.File(ctx, request.Actor{UserID: mayorID}, cantu.ID, request.Form{ProcedureCode: "VA-01", Title: "Arretrato VIA",
		Description: "Quaranta istanze in attesa da mesi.", DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		t.Fatal(err)
	}
	page := "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
	text := "Abbiamo raccolto i verbali delle ultime dieci conferenze di servizi.\nLi alleghiamo appena possibile."
	post := func(cookie string, fields map[string]string, header ...string) (*http.Response, string) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, v := range fields {
			_ = w.WriteField(k, v)
		}
		_ = w.Close()
		req, _ := http.NewRequest(http.MethodPost, s.URL+page+"/messaggi", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Cookie", cookie)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return s.Do(t, req)
	}
	c.Add(s.Config.SessionIdle + time.Minute)
	res, _ := post(mayor, map[string]string{"_csrf": apptest.CSRFToken, "body": text})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/accedi?next=%2Farea-riservata%2Fripresa&motivo=sessione" {
		t.Fatalf("post after the timeout: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	draft := cookieOf(res, "pass_draft")
	if draft == "" {
		t.Fatal("what was typed is not kept")
	}
	if msgs, _ := s.Workspace.Messages(ctx, r.ID); len(msgs) != 0 {
		t.Fatal("a message was stored without a session")
	}
	_, body := s.Get(t, res.Header.Get("Location"), "Accept-Language", "it")
	if !strings.Contains(parse(t, body).Find(".pass-session-notice").Text(), "ritroverai quello che stavi inviando") {
		t.Error("the login page does not say the text is kept")
	}
	// With htmx the page is sent to the login as a whole.
	res, _ = post(mayor, map[string]string{"_csrf": apptest.CSRFToken, "body": "altro"}, "HX-Request", "true")
	if res.StatusCode != 401 || !strings.HasPrefix(res.Header.Get("HX-Redirect"), "/accedi?next=") {
		t.Errorf("htmx post after the timeout: %d %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}

	// Someone else logging in on the same browser does not get it.
	other := s.Login(t, apptest.FiscalCode("BNCGLI75M41L219"), "Giulia", "Bianchi")
	_, body = s.Get(t, "/area-riservata/ripresa", "Cookie", other+draft, "Accept-Language", "it")
	if parse(t, body).Find("form.pass-resume").Length() != 0 || strings.Contains(body, "verbali") {
		t.Fatal("another person sees the kept text")
	}
	again := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	res, body = s.Get(t, "/area-riservata/ripresa", "Cookie", again+draft, "Accept-Language", "it")
	doc := parse(t, body)
	form := doc.Find("form.pass-resume")
	if res.StatusCode != 200 || form.AttrOr("action", "") != page+"/messaggi" || form.AttrOr("enctype", "") != "multipart/form-data" {
		t.Fatalf("resume page: %d action %q", res.StatusCode, form.AttrOr("action", ""))
	}
	if got := form.Find("textarea[name=body]").Text(); got != text {
		t.Fatalf("kept text %q", got)
	}
	if !strings.Contains(res.Header.Get("Set-Cookie"), "pass_draft=;") {
		t.Error("the draft cookie is not cleared")
	}
	res, _ = post(again, map[string]string{"_csrf": apptest.CSRFToken, "body": form.Find("textarea[name=body]").Text()})
	if msgs, _ := s.Workspace.Messages(ctx, r.ID); res.StatusCode != 303 || len(msgs) != 1 || msgs[0].Body != text {
		t.Fatalf("sent again: %d, %d messages", res.StatusCode, len(msgs))
	}
	// Taken once: a reload finds nothing more.
	_, body = s.Get(t, "/area-riservata/ripresa", "Cookie", again+draft, "Accept-Language", "it")
	if parse(t, body).Find("form.pass-resume").Length() != 0 {
		t.Error("the draft is shown twice")
	}
}
