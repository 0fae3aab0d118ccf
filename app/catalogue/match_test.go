package catalogue

import (
	"strings"
	"testing"
)

func TestFilterToleratesTyposAndAccents(t *testing.T) {
	tf := &TaskForce{Title: "Ambiente"}
	p := &Procedure{Code: "AUA", Title: "Autorizzazione unica ambientale", Summary: "Per le attività produttive soggette a più titoli abilitativi."}
	for _, q := range []string{"autorizzazione", "Autorizazione", "autorizaz", "attivita produttive", "ambientle", "AUA", "unica"} {
		if !matches(p, tf, strings.Fields(strings.ToLower(q))) {
			t.Errorf("%q did not find the procedure", q)
		}
	}
	for _, q := range []string{"bonifica", "autorizzazione bonifica", "uno", "zzzzzzzz"} {
		if matches(p, tf, strings.Fields(strings.ToLower(q))) {
			t.Errorf("%q found the procedure", q)
		}
	}
}
