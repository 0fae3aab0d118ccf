package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/config"
)

// TestSessionWarning shrinks the idle timeout so the warning comes five seconds after a page
// loads: the dialog opens while the person is typing, offers to extend, passes axe, extends the
// session on the server, and closing it gives the focus back to the text being typed, intact.
// On a loaded machine typing may still be under way when the dialog opens: what counts is that
// the text in the field when it opened is the text there after it closed.
func TestSessionWarning(t *testing.T) {
	s := apptest.Start(t, func(c *config.Config) { c.SessionIdle = time.Minute; c.SessionWarn = 55 * time.Second })
	tb := newTab(t)
	devLogin(t, tb, s, "sindaco-nuovo")
	tb.run(t,
		chromedp.Navigate(s.URL+"/contatti?lang=it"),
		chromedp.WaitReady(chromedp.CSS("#session-notice")),
		chromedp.SendKeys(chromedp.CSS("#contact-message"), "Testo che sto scrivendo"),
		chromedp.WaitVisible(chromedp.CSS("#session-dialog")),
	)
	typed := eval[string](t, tb, "document.getElementById('contact-message').value")
	if typed == "" || !strings.HasPrefix("Testo che sto scrivendo", typed) {
		t.Fatalf("text in the field when the dialog opened: %q", typed)
	}
	if txt := eval[string](t, tb, "document.getElementById('session-dialog-text').textContent"); !strings.Contains(txt, "Vuoi restare collegato?") {
		t.Errorf("dialog says %q", txt)
	}
	if !eval[bool](t, tb, "document.getElementById('session-dialog').contains(document.activeElement)") {
		t.Error("the focus is not in the dialog")
	}
	for _, v := range axe(t, tb) {
		t.Error("axe with the warning open: " + v)
	}
	before := eval[float64](t, tb, "fetch('/area-riservata/sessione',{headers:{Accept:'application/json'}}).then(r=>r.json()).then(j=>j.idle_in)")
	time.Sleep(1100 * time.Millisecond) // the idle end is one second nearer
	tb.run(t,
		chromedp.Click(chromedp.CSS("#session-dialog [data-session-extend]")),
		chromedp.WaitNotVisible(chromedp.CSS("#session-dialog")),
	)
	after := eval[float64](t, tb, "fetch('/area-riservata/sessione',{headers:{Accept:'application/json'}}).then(r=>r.json()).then(j=>j.idle_in)")
	if after <= before || after < 58 {
		t.Errorf("extending did not move the idle end: %v then %v seconds left", before, after)
	}
	if id := eval[string](t, tb, "document.activeElement.id"); id != "contact-message" {
		t.Errorf("focus after the dialog: %q", id)
	}
	// The warning comes back (55 of 60 seconds); closing it keeps what was typed.
	tb.run(t,
		chromedp.WaitVisible(chromedp.CSS("#session-dialog")),
		chromedp.Click(chromedp.CSS("#session-dialog [data-session-close]")),
		chromedp.WaitNotVisible(chromedp.CSS("#session-dialog")),
	)
	if v := eval[string](t, tb, "document.getElementById('contact-message').value"); v != typed {
		t.Errorf("typed text %q", v)
	}
	for _, p := range tb.take() {
		t.Error(p)
	}
}
