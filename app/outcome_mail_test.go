package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"passhub/app/apptest"
	"passhub/app/mailtest"
	"passhub/app/request"
)

// TestOutcomeAskIsMailedAsPreferencesSay: the ask at a request's conclusion reaches the mayor by
// e-mail at once (the "state" topic's default), with the link to the outcome's form; a member who
// chose the bell only for that topic gets no e-mail of it.
func TestOutcomeAskIsMailedAsPreferencesSay(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	a := apptest.New(t, withSMTP(smtp))
	ctx := context.Background()
	w := newTeam(t, a)
	if err := a.Notifications.SetPref(ctx, w.expert2, "state", "never"); err != nil { // not a member: never asked anyway
		t.Fatal(err)
	}
	expert := request.Actor{UserID: w.expert, Name: "Sara"}
	if _, err := a.Workspace.Post(ctx, expert, w.req, true, "Iniziamo."); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Requests.Conclude(ctx, expert, w.req.ID, "Arretrato smaltito con il nuovo modello di istruttoria."); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, a)
	link := "/area-riservata/richieste/" + strconv.FormatInt(w.req.ID, 10) + "/esito"
	asked := func() []mailtest.Captured {
		var out []mailtest.Captured
		for _, m := range smtp.Messages() {
			if strings.Contains(m.Text, link) {
				out = append(out, m)
			}
		}
		return out
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(asked()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := asked()
	if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != "mario@example.it" || !strings.Contains(got[0].Text, "Esito da compilare") {
		t.Fatalf("mails with the form's link: %+v", got)
	}

	// The mayor now wants the bell only: the six-month ask is not mailed.
	if err := a.Notifications.SetPref(ctx, w.mayor, "state", "never"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Requests.Ask(ctx, w.req.ID, request.StageSixMonths); err != nil {
		t.Fatal(err)
	}
	apptest.Idle(t, a)
	time.Sleep(300 * time.Millisecond) // an e-mail would be on its way
	if n := len(asked()); n != 1 {
		t.Errorf("%d mails with the form's link, want still 1", n)
	}
	if n := count(t, a.DB, "SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'request.outcome.six_months'", w.mayor); n != 1 {
		t.Errorf("%d six-month notifications in the mayor's bell, want 1", n)
	}
}
