package app_test

import (
	"strconv"
	"strings"
	"testing"
)

// TestBadIDsOfAWorkspace: a sub-id that is not a number is a 400 page that says so, for a viewer
// who may see the request; for one who may not, the request's loader answers first, with the 404
// of a request that does not exist, so the answer leaks nothing.
func TestBadIDsOfAWorkspace(t *testing.T) {
	w := newWorkspaceWorld(t)
	stranger := w.s.Login(t, "VRDGPP80A01F205X", "Giuseppe", "Verdi")
	missing := "/area-riservata/richieste/" + strconv.FormatInt(w.r.ID+1000, 10)
	cases := []struct {
		path, cookie string
		status       int
	}{
		{w.page + "/documenti/abc", w.mayor, 400},
		{w.page + "/documenti/-1", w.expert, 400},
		{w.page + "/documenti/999999", w.mayor, 404},
		{w.page + "/documenti/abc", stranger, 404},
		{missing + "/documenti/abc", w.mayor, 404},
	}
	for _, c := range cases {
		res, body := w.s.Get(t, c.path, "Cookie", c.cookie, "Accept-Language", "it")
		if res.StatusCode != c.status {
			t.Errorf("GET %s: %d, want %d", c.path, res.StatusCode, c.status)
			continue
		}
		if c.status == 400 && !strings.Contains(parse(t, body).Find("main").Text(), "Indirizzo non valido") {
			t.Errorf("GET %s: the page does not say the address is not valid", c.path)
		}
	}
}
