package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/content"
	"passhub/app/identity"
	"passhub/app/jobs"
	"passhub/app/mailtest"
	"passhub/app/request"
	"passhub/app/webhook"
)

// received is one POST a receiver got.
type received struct {
	At     time.Time
	Header http.Header
	Body   []byte
}

// receiver is a real HTTP server on 127.0.0.1 that records what it gets and answers what
// answer says for the n-th request (from 1).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int, w http.ResponseWriter, r *http.Request)
}

func newReceiver(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{At: time.Now(), Header: r.Header.Clone(), Body: body})
		n := len(rc.got)
		rc.mu.Unlock()
		if rc.answer == nil {
			_, _ = w.Write([]byte("ok"))
			return
		}
		rc.answer(n, w, r)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) received() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// verify checks a delivery as a receiver would, following the Standard Webhooks specification
// and nothing of the package under test: HMAC-SHA256, keyed with the base64-decoded secret
// after "whsec_", over "<webhook-id>.<webhook-timestamp>.<body>", compared in constant time with
// each "v1,<base64>" of webhook-signature; a timestamp more than 5 minutes away is refused.
func verify(t *testing.T, secret string, r received) {
	t.Helper()
	id, ts, sigs := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		t.Fatalf("missing Standard Webhooks headers: %v", r.Header)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		t.Fatalf("webhook-timestamp %q out of tolerance", ts)
	}
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q lacks whsec_", secret)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(r.Body)
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		v, b64, ok := strings.Cut(s, ",")
		got, err := base64.StdEncoding.DecodeString(b64)
		if ok && v == "v1" && err == nil && hmac.Equal(got, want) {
			return
		}
	}
	t.Fatalf("no valid v1 signature in %q", sigs)
}

// allowLoopback lets deliveries reach the test receivers, with short waits.
func allowLoopback(c *config.Config) {
	c.WebhooksAllow = []string{"127.0.0.0/8"}
	c.WebhooksBackoff = 100 * time.Millisecond
	c.WebhooksConnectTimeout = 200 * time.Millisecond
	c.WebhooksTimeout = 400 * time.Millisecond
}

func userID(t *testing.T, s *apptest.Server, cookie string) int64 {
	t.Helper()
	v, err := s.Identity.Authenticate(context.Background(), strings.TrimPrefix(strings.Split(cookie, ";")[0], "pass_session="))
	if err != nil {
		t.Fatal(err)
	}
	return v.User.ID
}

// admin logs an administrator in and returns the cookie and the user's id.
func admin(t *testing.T, s *apptest.Server) (string, int64) {
	t.Helper()
	cookie := s.Login(t, apptest.FiscalCode("DMNDMN80A01F205"), "Ada", "Admin")
	id := userID(t, s, cookie)
	if err := s.Identity.Grant(context.Background(), identity.Actor{}, id, "admin", ""); err != nil {
		t.Fatal(err)
	}
	return cookie, id
}

// contentEvent records a real content.Changed naming an entry of the shipped content.
func contentEvent(t *testing.T, s *apptest.Server) {
	t.Helper()
	var ref content.Ref
	if err := s.DB.NewSelect().Table("entries").Column("type", "id").Order("id").Limit(1).Scan(context.Background(), &ref.Type, &ref.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Events.InTx(context.Background(), nil, content.Changed{Entries: []content.Ref{ref}}); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, timeout time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func deliveries(t *testing.T, s *apptest.Server, endpointID int64) []webhook.Delivery {
	t.Helper()
	ds, err := s.Webhooks.Deliveries(context.Background(), endpointID, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func create(t *testing.T, s *apptest.Server, owner int64, u string, internal bool, events ...string) *webhook.Endpoint {
	t.Helper()
	ep, err := s.Webhooks.Create(context.Background(), webhook.Actor{UserID: owner, Name: "Ada"}, webhook.Form{URL: u, Events: events, Internal: internal})
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

// An admin registers an endpoint through the form and sees its secret once; a real request
// filed and an ente approved reach it signed as Standard Webhooks say, carrying ids and public
// titles only, while an internal endpoint also gets who acted and the request's title.
func TestDeliveriesAreSignedAndPublicOnesCarryNoPersonalData(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, allowLoopback)
	ctx := context.Background()
	cookie, adminID := admin(t, s)
	public, internal := newReceiver(t, nil), newReceiver(t, nil)

	res, body := s.PostForm(t, "/admin/webhook", url.Values{"_csrf": {apptest.CSRFToken}, "url": {public.URL + "/hook"},
		"events": {"request.changed", "registration.decided"}, "description": {"Cruscotto regionale"}}, "Cookie", cookie)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create = %d: %s", res.StatusCode, body)
	}
	secret := apptest.Parse(t, body).Find("#webhook-secret").Text()
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret not shown: %q", secret)
	}
	eps, _ := s.Webhooks.Endpoints(ctx)
	if len(eps) != 1 || eps[0].Internal || eps[0].OwnerID != adminID {
		t.Fatalf("endpoints = %+v", eps)
	}
	for _, path := range []string{"/admin/webhook", "/admin/webhook/" + strconv.FormatInt(eps[0].ID, 10)} {
		if res, body := s.Get(t, path, "Cookie", cookie); res.StatusCode != 200 || strings.Contains(body, secret) {
			t.Fatalf("GET %s = %d, secret shown again: %v", path, res.StatusCode, strings.Contains(body, secret))
		}
	}
	in := create(t, s, adminID, internal.URL, true, "request.changed", "registration.decided")

	legalRep := s.Login(t, apptest.FiscalCode("RSSMRA80A01F205"), "Mario", "Rossi")
	lr := userID(t, s, legalRep)
	e := apptest.ApprovedEnte(t, s.App, "013041", "Cantù", "CO", lr)
	r, err := s.Requests.File(ctx, request.Actor{UserID: lr, Name: "Mario Rossi"}, e.ID, request.Form{ProcedureCode: "VA-01",
		Title: "Arretrato riservatissimo", Description: "Quaranta istanze in attesa da mesi, un solo istruttore.",
		DesiredOutcome: "Tempi medi sotto i 150 giorni."}, true)
	if err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)

	types := func(rc *receiver, secret string) map[string][]map[string]any {
		out := map[string][]map[string]any{}
		for _, got := range rc.received() {
			verify(t, secret, got)
			var m struct {
				Type      string         `json:"type"`
				Timestamp time.Time      `json:"timestamp"`
				Data      map[string]any `json:"data"`
			}
			if err := json.Unmarshal(got.Body, &m); err != nil || m.Timestamp.IsZero() {
				t.Fatalf("body %s: %v", got.Body, err)
			}
			out[m.Type] = append(out[m.Type], m.Data)
		}
		return out
	}
	pub := types(public, secret)
	if len(pub["registration.decided"]) != 1 || len(pub["request.changed"]) == 0 {
		t.Fatalf("public endpoint got %v", pub)
	}
	if d := pub["registration.decided"][0]; d["ente_name"] != "Cantù" || d["approved"] != true || d["applicant_id"] != nil {
		t.Errorf("registration payload = %v", d)
	}
	for _, got := range public.received() {
		for _, personal := range []string{"Arretrato riservatissimo", "Mario", "Rossi", "RSSMRA", "example.it", "actor_id", "applicant_id", "title"} {
			if strings.Contains(string(got.Body), personal) {
				t.Errorf("public payload carries %q: %s", personal, got.Body)
			}
		}
	}
	if d := pub["request.changed"][0]; d["request_id"] != float64(r.ID) || d["state"] == nil {
		t.Errorf("request payload = %v", d)
	}
	priv := types(internal, in.Secret)
	if len(priv["request.changed"]) == 0 || priv["request.changed"][0]["title"] != "Arretrato riservatissimo" ||
		priv["request.changed"][0]["actor_id"] != float64(lr) {
		t.Errorf("internal endpoint got %v", priv)
	}
	for _, d := range deliveries(t, s, eps[0].ID) {
		if d.Status != webhook.StatusDelivered || d.LastStatus != 200 || d.LastExcerpt != "ok" || d.Attempts != 1 {
			t.Errorf("delivery logged as %+v", d)
		}
	}
}

// A 500 and a timeout are retried with backoff, under the same webhook-id, until a 2xx; the log
// keeps the last attempt's status, duration and answer.
func TestRetriesWithBackoffAfterErrorsAndTimeouts(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, allowLoopback)
	_, adminID := admin(t, s)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			w.WriteHeader(500)
			_, _ = w.Write([]byte("boom"))
		case 2:
			select { // longer than the 400ms the delivery waits
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		default:
			w.WriteHeader(202)
			_, _ = w.Write([]byte(strings.Repeat("x", 5000))) // the excerpt keeps 1 KiB
		}
	})
	ep := create(t, s, adminID, rc.URL, false, "content.changed")
	contentEvent(t, s)
	waitFor(t, "three attempts", 20*time.Second, func() bool {
		ds := deliveries(t, s, ep.ID)
		return len(ds) == 1 && ds[0].Status == webhook.StatusDelivered
	})
	got := rc.received()
	if len(got) != 3 {
		t.Fatalf("receiver got %d posts, want 3", len(got))
	}
	if got[0].Header.Get("webhook-id") != got[2].Header.Get("webhook-id") || string(got[0].Body) != string(got[2].Body) {
		t.Error("a retry is not the same message")
	}
	// backoff 100ms after the first failure, 200ms after the second (plus the 400ms timeout)
	if gap := got[1].At.Sub(got[0].At); gap < 100*time.Millisecond {
		t.Errorf("second attempt %v after the first, want >= 100ms", gap)
	}
	if gap := got[2].At.Sub(got[1].At); gap < 600*time.Millisecond {
		t.Errorf("third attempt %v after the second, want >= 400ms timeout + 200ms backoff", gap)
	}
	d := deliveries(t, s, ep.ID)[0]
	if d.Attempts != 3 || d.LastStatus != 202 || len(d.LastExcerpt) != 1024 || d.LastError != "" {
		t.Errorf("delivery logged as attempts %d status %d excerpt %d error %q", d.Attempts, d.LastStatus, len(d.LastExcerpt), d.LastError)
	}
	if ep, _ := s.Webhooks.Endpoint(context.Background(), ep.ID); ep.Failures != 0 {
		t.Errorf("failures after a success = %d", ep.Failures)
	}
}

// An endpoint that keeps failing is disabled after PASSHUB_WEBHOOKS_DISABLE_AFTER attempts in a
// row, posts nothing more, and its owner finds it in the bell and in an e-mail.
func TestFailingEndpointIsDisabledAndItsOwnerTold(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	s := apptest.Start(t, allowLoopback, func(c *config.Config) {
		c.WebhooksDisableAfter = 3
		c.Mail, c.SMTPHost, c.SMTPPort, c.SMTPTLS, c.SMTPFrom = "smtp", smtp.Host(), smtp.Port(), "none", "PAsS <noreply@pass.example.it>"
	})
	cookie, adminID := admin(t, s)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) })
	ep := create(t, s, adminID, rc.URL, false, "content.changed")
	contentEvent(t, s)
	waitFor(t, "the endpoint disabled", 20*time.Second, func() bool {
		ep, _ := s.Webhooks.Endpoint(context.Background(), ep.ID)
		return !ep.Enabled
	})
	apptest.Idle(t, s.App)
	if n := len(rc.received()); n != 3 {
		t.Errorf("receiver got %d posts, want 3", n)
	}
	got, _ := s.Webhooks.Endpoint(context.Background(), ep.ID)
	if got.DisabledReason != webhook.ReasonFailures || got.Failures != 3 {
		t.Errorf("endpoint = %+v", got)
	}
	if d := deliveries(t, s, ep.ID)[0]; d.Status != webhook.StatusCancelled || d.LastStatus != 503 || d.Attempts != 3 {
		t.Errorf("delivery = %+v", d)
	}
	if _, body := s.Get(t, "/area-riservata/notifiche", "Cookie", cookie); !strings.Contains(body, "Webhook disattivato dopo troppi errori") {
		t.Error("the owner's notifications do not tell of the disabled endpoint")
	}
	var link string
	if err := s.DB.NewSelect().Table("notifications").Column("url").Where("user_id = ? AND kind = 'webhook.disabled'", adminID).
		Scan(context.Background(), &link); err != nil || link != "/admin/webhook/"+strconv.FormatInt(ep.ID, 10) {
		t.Errorf("notification link %q (%v)", link, err)
	}
	msgs := smtp.WaitFor(t, 1, 10*time.Second)
	if msgs[0].To[0] != "ada@example.it" || !strings.Contains(msgs[0].Text, "Webhook disattivato") {
		t.Errorf("mail = %v %q", msgs[0].To, msgs[0].Text)
	}
	// a later event adds no delivery to the disabled endpoint
	contentEvent(t, s)
	apptest.Idle(t, s.App)
	if n := len(deliveries(t, s, ep.ID)); n != 1 {
		t.Errorf("a disabled endpoint got %d deliveries", n)
	}
	// enabled again, it is clean
	if res, _ := s.PostForm(t, "/admin/webhook/"+strconv.FormatInt(ep.ID, 10)+"/stato", url.Values{"_csrf": {apptest.CSRFToken}, "enabled": {"1"}},
		"Cookie", cookie); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable = %d", res.StatusCode)
	}
	if got, _ := s.Webhooks.Endpoint(context.Background(), ep.ID); !got.Enabled || got.Failures != 0 {
		t.Errorf("enabled endpoint = %+v", got)
	}
}

// The redeliver button posts the message again, with the same id; a disabled endpoint refuses,
// saying why; a job run again for a delivery already answered posts nothing.
func TestRedeliverAndIdempotentJobs(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, allowLoopback)
	ctx := context.Background()
	cookie, adminID := admin(t, s)
	rc := newReceiver(t, nil)
	ep := create(t, s, adminID, rc.URL, false, "content.changed")
	contentEvent(t, s)
	apptest.Idle(t, s.App)
	ds := deliveries(t, s, ep.ID)
	if len(ds) != 1 || len(rc.received()) != 1 {
		t.Fatalf("deliveries %d, posts %d", len(ds), len(rc.received()))
	}

	// the job again, and the event's listener again under the same event key: nothing is posted
	if err := s.Jobs.Enqueue(ctx, s.DB, webhook.DeliverArgs{DeliveryID: ds[0].ID}); err != nil {
		t.Fatal(err)
	}
	keyed := jobs.WithEventKey(ctx, ds[0].EventKey)
	build := func(context.Context) (webhook.Data, error) {
		return webhook.Data{Public: map[string]any{"again": true}}, nil
	}
	if err := s.Webhooks.Fanout(keyed, "content.changed", build); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, s.App)
	if n, m := len(rc.received()), len(deliveries(t, s, ep.ID)); n != 1 || m != 1 {
		t.Fatalf("after reruns: %d posts, %d deliveries, want 1 and 1", n, m)
	}

	base := "/admin/webhook/" + strconv.FormatInt(ep.ID, 10)
	res, _ := s.PostForm(t, base+"/consegne/"+strconv.FormatInt(ds[0].ID, 10)+"/reinvia", url.Values{"_csrf": {apptest.CSRFToken}}, "Cookie", cookie)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("redeliver = %d", res.StatusCode)
	}
	apptest.Idle(t, s.App)
	got := rc.received()
	if len(got) != 2 || got[1].Header.Get("webhook-id") != got[0].Header.Get("webhook-id") || string(got[1].Body) != string(got[0].Body) {
		t.Fatalf("redelivery: %d posts", len(got))
	}
	verify(t, ep.Secret, got[1])
	_, page := s.Get(t, base, "Cookie", cookie)
	if doc := apptest.Parse(t, page); doc.Find("tr.pass-delivery[data-status=delivered]").Length() != 2 {
		t.Errorf("the log does not show two delivered rows")
	}

	if err := s.Webhooks.SetEnabled(ctx, webhook.Actor{UserID: adminID}, ep.ID, false); err != nil {
		t.Fatal(err)
	}
	res, body := s.PostForm(t, base+"/consegne/"+strconv.FormatInt(ds[0].ID, 10)+"/reinvia", url.Values{"_csrf": {apptest.CSRFToken}}, "Cookie", cookie)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "riattivalo prima di inviare di nuovo") {
		t.Errorf("redeliver on a disabled endpoint = %d", res.StatusCode)
	}
	apptest.Idle(t, s.App)
	if n := len(rc.received()); n != 2 {
		t.Errorf("posts = %d after a refused redelivery", n)
	}

	// deleting asks first, then removes the endpoint and its log, and the audit log says who
	res, body = s.PostForm(t, base+"/elimina", url.Values{"_csrf": {apptest.CSRFToken}}, "Cookie", cookie)
	if res.StatusCode != 200 || apptest.Parse(t, body).Find("h1").Text() != "Eliminare l'endpoint?" {
		t.Fatalf("delete without confirmation = %d", res.StatusCode)
	}
	if eps, _ := s.Webhooks.Endpoints(ctx); len(eps) != 1 {
		t.Fatal("deleted without confirmation")
	}
	res, _ = s.PostForm(t, base+"/elimina", url.Values{"_csrf": {apptest.CSRFToken}, "confirm": {"1"}}, "Cookie", cookie)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete = %d", res.StatusCode)
	}
	if eps, _ := s.Webhooks.Endpoints(ctx); len(eps) != 0 || len(deliveries(t, s, ep.ID)) != 0 {
		t.Error("the endpoint or its deliveries are still there")
	}
	var actions []string
	if err := s.DB.NewSelect().Table("audit_entries").Column("action").Where("object_type = 'webhook'").Order("id").Scan(ctx, &actions); err != nil {
		t.Fatal(err)
	}
	if strings.Join(actions, " ") != "webhook.create webhook.redeliver webhook.disable webhook.delete" {
		t.Errorf("audit = %v", actions)
	}
}

// One endpoint that hangs holds one delivery slot: the deliveries to another endpoint all go
// through meanwhile.
func TestSlowEndpointDoesNotStarveOthers(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, allowLoopback, func(c *config.Config) { c.WebhooksTimeout = 5 * time.Second; c.WebhooksPerEndpoint = 1 })
	_, adminID := admin(t, s)
	release := make(chan struct{})
	slow := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	fast := newReceiver(t, nil)
	slowEP := create(t, s, adminID, slow.URL, false, "content.changed")
	create(t, s, adminID, fast.URL, false, "content.changed")
	for range 6 {
		contentEvent(t, s)
	}
	waitFor(t, "the fast endpoint's six deliveries", 10*time.Second, func() bool { return len(fast.received()) == 6 && len(slow.received()) > 0 })
	time.Sleep(300 * time.Millisecond) // the slow endpoint's other deliveries had time to start, were they allowed to
	if n := len(slow.received()); n != 1 {
		t.Errorf("the slow endpoint has %d deliveries running, want 1 (its per-endpoint limit)", n)
	}
	close(release)
	waitFor(t, "the slow endpoint's deliveries", 20*time.Second, func() bool {
		n := 0
		for _, d := range deliveries(t, s, slowEP.ID) {
			if d.Status == webhook.StatusDelivered {
				n++
			}
		}
		return n == 6
	})
	if n := len(slow.received()); n != 6 {
		t.Errorf("the slow endpoint got %d posts, want 6", n)
	}
}

// A bad URL, a private, loopback or link-local address, a name that resolves to loopback, or no
// event: each gets its message, in Italian or English, and registers nothing.
func TestRegistrationRefusesBadInput(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t) // no address allowed
	cookie, _ := admin(t, s)
	for _, c := range []struct{ url, lang, want string }{
		{"http://localhost:8080/hook", "it", "rete privata, di loopback o link-local"},
		{"http://127.0.0.1/hook", "en", "private, loopback or link-local network"},
		{"http://10.1.2.3/hook", "it", "rete privata"},
		{"http://169.254.169.254/latest/meta-data", "it", "rete privata"},
		{"http://[::1]/hook", "it", "rete privata"},
		{"ftp://example.org/hook", "it", "non è un URL http(s) completo"},
		{"non un indirizzo", "en", "not a full http(s) URL"},
		{"http://host.invalid/hook", "it", "non esiste o non si risolve"},
	} {
		res, body := s.PostForm(t, "/admin/webhook?lang="+c.lang, url.Values{"_csrf": {apptest.CSRFToken}, "url": {c.url}, "events": {"content.changed"}}, "Cookie", cookie)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d, message %q not found", c.url, res.StatusCode, c.want)
		}
	}
	res, body := s.PostForm(t, "/admin/webhook", url.Values{"_csrf": {apptest.CSRFToken}, "url": {"https://example.org/hook"}, "events": {"nope"}}, "Cookie", cookie)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Scegli almeno un evento") {
		t.Errorf("unknown event: %d", res.StatusCode)
	}
	res, body = s.PostForm(t, "/admin/webhook", url.Values{"_csrf": {apptest.CSRFToken}, "url": {"https://example.org/hook"}, "events": {"content.changed"},
		"description": {strings.Repeat("è", 201)}}, "Cookie", cookie)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "La descrizione supera i 200 caratteri") {
		t.Errorf("long description: %d", res.StatusCode)
	}
	if eps, _ := s.Webhooks.Endpoints(context.Background()); len(eps) != 0 {
		t.Errorf("%d endpoints registered from bad input", len(eps))
	}
	var audits int
	if err := s.DB.NewSelect().Table("audit_entries").ColumnExpr("count(*)").Where("action LIKE 'webhook.%'").Scan(context.Background(), &audits); err != nil || audits != 0 {
		t.Errorf("audit entries %d (%v)", audits, err)
	}
}

// A delivery out of attempts is marked failed and posts no more; the endpoint stays enabled
// while its failures in a row are below the limit.
func TestDeliveryOutOfAttemptsIsFailed(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, allowLoopback, func(c *config.Config) { c.WebhooksAttempts = 2 })
	_, adminID := admin(t, s)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) })
	ep := create(t, s, adminID, rc.URL, false, "content.changed")
	contentEvent(t, s)
	waitFor(t, "the delivery failed", 20*time.Second, func() bool {
		ds := deliveries(t, s, ep.ID)
		return len(ds) == 1 && ds[0].Status == webhook.StatusFailed
	})
	apptest.Idle(t, s.App)
	if n := len(rc.received()); n != 2 {
		t.Errorf("posts = %d, want 2", n)
	}
	if got, _ := s.Webhooks.Endpoint(context.Background(), ep.ID); !got.Enabled || got.Failures != 2 {
		t.Errorf("endpoint = %+v", got)
	}
	_, metrics := s.Get(t, "/metrics")
	for _, want := range []string{`passhub_webhook_deliveries{status="failed"} 1`, `passhub_webhook_deliveries{status="delivered"} 0`,
		`passhub_webhook_endpoints{state="enabled"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// The daily pruning removes old finished deliveries from the log, never a pending one nor a
// recent one.
func TestPruneKeepsRecentAndPendingDeliveries(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, allowLoopback)
	ctx := context.Background()
	_, adminID := admin(t, s)
	rc := newReceiver(t, nil)
	ep := create(t, s, adminID, rc.URL, false, "content.changed")
	for range 3 {
		contentEvent(t, s)
	}
	apptest.Idle(t, s.App)
	ds := deliveries(t, s, ep.ID) // newest first
	if len(ds) != 3 {
		t.Fatalf("%d deliveries", len(ds))
	}
	old := time.Now().Add(-31 * 24 * time.Hour)
	for i, status := range []string{webhook.StatusDelivered, webhook.StatusPending} { // ds[2] stays recent
		if _, err := s.DB.NewUpdate().Table("webhook_deliveries").Set("created_at = ?", old).Set("status = ?", status).
			Where("id = ?", ds[i].ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.Webhooks.Prune(ctx, time.Now())
	if err != nil || n != 1 {
		t.Fatalf("pruned %d (%v), want 1", n, err)
	}
	left := deliveries(t, s, ep.ID)
	if len(left) != 2 || left[0].ID != ds[1].ID || left[1].ID != ds[2].ID {
		t.Errorf("left %+v", left)
	}
}

// A publication made in the newsroom reaches an endpoint subscribed to content.published, signed,
// with the entry's type, slug and revision; the unsubscribed content.changed endpoint gets only
// its own event.
func TestNewsroomPublicationIsDelivered(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, allowLoopback)
	ctx := context.Background()
	_, adminID := admin(t, s)
	rc := newReceiver(t, nil)
	ep := create(t, s, adminID, rc.URL, false, "content.published")
	who := content.Actor{UserID: adminID, Name: "Ada Admin", Publisher: true}
	e, rev, err := s.Content.SaveDraft(ctx, who, content.Draft{Type: content.TypeNews, Body: "Il bando apre il 10 gennaio.\n",
		Fields: map[string]string{"title": "Bando per i piccoli Comuni", "summary": "Apre il bando.", "date": "2026-12-04"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Content.Publish(ctx, who, content.TypeNews, e.Slug, rev.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the delivery", 20*time.Second, func() bool {
		ds := deliveries(t, s, ep.ID)
		return len(ds) == 1 && ds[0].Status == webhook.StatusDelivered
	})
	got := rc.received()
	if len(got) != 1 {
		t.Fatalf("%d posts, want 1", len(got))
	}
	verify(t, ep.Secret, got[0])
	var msg struct {
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(got[0].Body, &msg); err != nil {
		t.Fatal(err)
	}
	if msg.Type != "content.published" || msg.Data["slug"] != e.Slug || msg.Data["type"] != "news" || msg.Data["revision_id"] != float64(rev.ID) {
		t.Errorf("delivery %s", got[0].Body)
	}
	if _, ok := msg.Data["actor_id"]; ok {
		t.Error("who published reached a public endpoint")
	}
}
