package app_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/identity"
	"passhub/app/jobs"
	"passhub/app/mailtest"
)

func withSMTP(smtp *mailtest.Server) apptest.Option {
	return func(c *config.Config) {
		c.Mail, c.SMTPHost, c.SMTPPort, c.SMTPTLS, c.SMTPFrom = "smtp", smtp.Host(), smtp.Port(), "none", "PAsS <noreply@pass.example.it>"
	}
}

// A mailbox the server refuses for good is marked on its user, who is told in the preferences
// and gets no more e-mail; the others still get theirs.
func TestBouncedAddressIsMarkedAndSkipped(t *testing.T) {
	smtp := mailtest.Start(t)
	s := apptest.Start(t, withSMTP(smtp))
	ctx := context.Background()
	cookie := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi") // mario@example.it
	s.Login(t, apptest.FiscalCode("BNCGLI75M41L219"), "Giulia", "Bianchi")
	mario, _, _ := s.Identity.Users(ctx, "rossi", 1)
	giulia, _, _ := s.Identity.Users(ctx, "bianchi", 1)
	smtp.Refuse(mario[0].Email)
	notify := func() {
		if err := s.Notifications.Notify(ctx, []int64{mario[0].ID, giulia[0].ID}, "request.assigned", "Arretrato VIA", "/area-riservata/richieste/1"); err != nil {
			t.Fatal(err)
		}
	}
	notify()
	got := smtp.WaitFor(t, 1, 5*time.Second)
	if got[0].To[0] != giulia[0].Email {
		t.Fatalf("delivered to %v", got[0].To)
	}
	var u *identity.User
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if u, _, _ = s.Identity.User(ctx, mario[0].ID); !u.EmailBouncedAt.IsZero() {
			break
		}
	}
	if u.EmailBouncedAt.IsZero() || !strings.Contains(u.EmailBounce, "550") {
		t.Fatalf("bounce not marked: %+v", u)
	}
	_, body := s.Get(t, "/area-riservata/notifiche/preferenze", "Cookie", cookie)
	if !strings.Contains(body, "ha rifiutato l&#39;indirizzo "+mario[0].Email) && !strings.Contains(body, "ha rifiutato l'indirizzo "+mario[0].Email) {
		t.Errorf("preferences do not tell about the bounce")
	}
	notify()
	smtp.WaitFor(t, 2, 5*time.Second)
	time.Sleep(300 * time.Millisecond)
	for _, m := range smtp.Messages() {
		if m.To[0] == mario[0].Email {
			t.Fatal("mailed a refused address")
		}
	}
	if failed, _ := s.Jobs.Failed(ctx, 10); len(failed) != 0 {
		t.Errorf("a bounce is not a failure to retry: %+v", failed[0])
	}
}

// The user picks the language of their e-mails; messages carry plain text and HTML.
func TestNotificationMailsInTheUsersLanguage(t *testing.T) {
	smtp := mailtest.Start(t)
	s := apptest.Start(t, withSMTP(smtp))
	ctx := context.Background()
	cookie := s.Login(t, "RSSMRA80A01F205X", "Mario", "Rossi")
	res, _ := s.PostForm(t, "/area-riservata/notifiche/preferenze", url.Values{"_csrf": {apptest.CSRFToken}, "state": {"now"},
		"message": {"now"}, "document": {"digest"}, "activity": {"digest"}, "lang": {"en"}}, "Cookie", cookie)
	if res.StatusCode != 303 {
		t.Fatalf("preferences: %d", res.StatusCode)
	}
	res, _ = s.PostForm(t, "/area-riservata/notifiche/preferenze", url.Values{"_csrf": {apptest.CSRFToken}, "lang": {"fr"}}, "Cookie", cookie)
	if res.StatusCode != 400 {
		t.Fatalf("an unknown language: %d", res.StatusCode)
	}
	users, _, _ := s.Identity.Users(ctx, "rossi", 1)
	if err := s.Notifications.Notify(ctx, []int64{users[0].ID}, "request.message", "VIA backlog", "/area-riservata/richieste/1"); err != nil {
		t.Fatal(err)
	}
	m := smtp.WaitFor(t, 1, 5*time.Second)[0]
	if !strings.Contains(m.Text, "Dear Mario Rossi") || !strings.Contains(m.HTML, `<a href="`+s.URL+`/area-riservata/richieste/1">`) ||
		!strings.Contains(m.HTML, s.URL+"/area-riservata/notifiche/preferenze") {
		t.Errorf("english mail: %q\n%q\n%q", m.Subject, m.Text, m.HTML)
	}
}

type boomArgs struct{}

func (boomArgs) Kind() string                 { return "test.boom" }
func (boomArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 1} }

type boomWorker struct{ river.WorkerDefaults[boomArgs] }

func (boomWorker) Work(context.Context, *river.Job[boomArgs]) error {
	return errors.New("search engine unreachable")
}

// A job that runs out of attempts shows in the admins' page, which can put it back in the queue.
func TestFailedJobsAreShownToAdmins(t *testing.T) {
	s := apptest.Start(t)
	jobs.Add(s.Jobs, boomWorker{})
	ctx := context.Background()
	admin := s.Login(t, apptest.FiscalCode("DMNDMN80A01F205"), "Ada", "Admin")
	users, _, _ := s.Identity.Users(ctx, "admin", 1)
	if err := s.Identity.Grant(ctx, identity.Actor{}, users[0].ID, "admin", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Jobs.Enqueue(ctx, nil, boomArgs{}); err != nil {
		t.Fatal(err)
	}
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, body = s.Get(t, "/admin/lavori", "Cookie", admin); strings.Contains(body, "search engine unreachable") {
			break
		}
	}
	doc := parse(t, body)
	row := doc.Find("tr.pass-job")
	if row.Length() != 1 || !strings.Contains(row.Text(), "test.boom") || !strings.Contains(row.Text(), "1/1") {
		t.Fatalf("failed jobs: %q", row.Text())
	}
	action, _ := row.Find("form").Attr("action")
	res, _ := s.PostForm(t, action, url.Values{"_csrf": {apptest.CSRFToken}}, "Cookie", admin)
	if res.StatusCode != 303 {
		t.Fatalf("retry: %d", res.StatusCode)
	}
	if res, _ := s.PostForm(t, action, url.Values{"_csrf": {apptest.CSRFToken}}, "Cookie", admin); res.StatusCode != 404 {
		t.Errorf("retrying a job already back in the queue: %d", res.StatusCode)
	}
}
