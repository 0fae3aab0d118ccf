package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"passhub/app/apptest"
	"passhub/app/config"
	"passhub/app/request"
)

// TestUploadsThatDoNotFitSaySo: a file larger than the form announces is refused as soon as it
// is chosen, with the browser's validation message naming the size, and the form is not sent;
// a message whose attachment the server refuses (the body limit) says so beside the form, with
// the focus on the alert and the text still in the form, never in silence.
func TestUploadsThatDoNotFitSaySo(t *testing.T) {
	s := apptest.Start(t, func(c *config.Config) { c.BodyLimit, c.MaxFile = 2<<20, 1<<20 })
	ctx := context.Background()
	seedPersonas(t, s, true)
	list, _, err := s.Requests.List(ctx, request.Filter{States: []request.State{request.Waiting}})
	if err != nil || len(list) != 1 {
		t.Fatalf("demo request: %v %v", list, err)
	}
	page := s.URL + "/area-riservata/richieste/" + strconv.FormatInt(list[0].ID, 10)
	dir := t.TempDir()
	file := func(name string, size int) string {
		p := filepath.Join(dir, name)
		data := []byte(strings.Repeat("a;b\n", size/4))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big, huge := file("grande.csv", 3<<19), file("enorme.csv", 3<<20) // 1.5 MiB, 3 MiB

	tb := newTab(t)
	devLogin(t, tb, s, "delegato")
	tb.run(t, chromedp.Navigate(page), chromedp.WaitReady(chromedp.CSS("#post-file")))
	messages := eval[int](t, tb, `document.querySelectorAll('#thread .pass-message').length`)
	tb.run(t,
		chromedp.SetValue(chromedp.CSS("#post-body"), "Allego il verbale della conferenza."),
		chromedp.SetUploadFiles(chromedp.CSS("#post-file"), []string{big}),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#post-file').dispatchEvent(new Event('change', {bubbles: true}))`),
	)
	if msg := eval[string](t, tb, `document.querySelector('#post-file').validationMessage`); !strings.Contains(msg, "1 MB") {
		t.Errorf("validation message of a file over the announced size: %q", msg)
	}
	tb.run(t, chromedp.Click(chromedp.CSS(".pass-post button")))
	if n := eval[int](t, tb, `document.querySelectorAll('#thread .pass-message').length`); n != messages {
		t.Errorf("a form with a file too large was sent: %d messages, were %d", n, messages)
	}

	// The browser's check bypassed (an older page, a file that grew): the server refuses it.
	tb.run(t,
		chromedp.Evaluate[chromedp.Void](`(() => { const f = document.querySelector('#post-file'); f.removeAttribute('data-max-bytes'); f.setCustomValidity(''); })()`),
		chromedp.SetUploadFiles(chromedp.CSS("#post-file"), []string{huge}),
		chromedp.Click(chromedp.CSS(".pass-post button")),
	)
	waitFor(t, tb, `!!document.querySelector('#post-form-error [role=alert]')`, "the alert of the refused message")
	got := eval[[]string](t, tb, `(() => { const a = document.querySelector('#post-form-error [role=alert]');
		return [a.textContent, String(document.activeElement === a), document.querySelector('#post-body').value]; })()`)
	if !strings.Contains(got[0], "Invio non riuscito") || !strings.Contains(got[0], "1 MB") || got[1] != "true" || got[2] != "Allego il verbale della conferenza." {
		t.Errorf("after the refusal (alert, focused, text kept): %q", got)
	}
	for _, v := range axe(t, tb) {
		t.Error("axe on the workspace with the alert: " + v)
	}
}
