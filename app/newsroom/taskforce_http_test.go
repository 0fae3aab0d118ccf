package newsroom_test

import (
	"net/url"
	"testing"

	"passhub/app/apptest"
	"passhub/app/content"
)

// TestNewTaskForceJoinsTheCatalogue: a publisher adds a task force in the newsroom and its first
// procedure sheet; once both are published the task force has its page and its place in the
// catalogue's filter, the sheet is listed under it and offers to file a request. A
// sheet naming a task force not published yet is saved as a draft, but its publication is refused
// with the reason beside the field.
func TestNewTaskForceJoinsTheCatalogue(t *testing.T) {
	r := open(t)
	tf := "/redazione/contenuti/taskforce/digitale"
	sheet := url.Values{"code": {"DIG-01"}, "title": {"Piano triennale per l'informatica"}, "summary": {"Redazione del piano triennale dell'ente."},
		"task_force": {"DIG"}, "accepts_requests": {"true"}, "office": {"Ufficio Sistemi informativi"}, "body": {"## Cosa serve\n\nIl piano dell'ente.\n"},
		"slug": {"piano-triennale-informatica"}, "azione": {"salva"}}
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "a sheet of a task force not there yet", As: r.publisher, Method: "POST", Path: "/redazione/nuovo/procedure", Form: sheet, Status: 303},
	})
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "publish it", As: r.publisher, Method: "POST", Path: "/redazione/contenuti/procedure/piano-triennale-informatica/passi/publish",
			Form: url.Values{"rev": {r.rev(t, content.TypeProcedure, "piano-triennale-informatica")}}, Status: 422,
			Has: map[string]string{".pass-error-summary": "correggi il campo", "#f-task_force-error": "Nessuna Task Force pubblicata"}},
		{Name: "write the task force", As: r.publisher, Method: "POST", Path: "/redazione/nuovo/taskforce", Status: 303, Location: tf,
			Form: url.Values{"code": {"DIG"}, "title": {"Transizione digitale"}, "summary": {"Supporto ai Comuni nella transizione digitale."},
				"weight": {"90"}, "body": {"## Cosa fa la Task Force\n\nAccompagna i Comuni.\n"}, "slug": {"digitale"}, "azione": {"salva"}}},
		{Name: "not in the catalogue while a draft", Path: "/procedure", Status: 200, Lacks: []string{"#filter-tf option[value='DIG']"}},
	})
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "publish the task force", As: r.publisher, Method: "POST", Path: tf + "/passi/publish",
			Form: url.Values{"rev": {r.rev(t, content.TypeTaskForce, "digitale")}}, Status: 303, Events: []string{"content.changed", "content.published"}},
		{Name: "its page", Path: "/task-force/digitale", Status: 200, Has: map[string]string{"h1": "Transizione digitale"}},
		{Name: "in the catalogue's filter", Path: "/procedure", Status: 200, Has: map[string]string{"#filter-tf option[value='DIG']": "Transizione digitale"}},
	})
	apptest.RunScenarios(t, r.s, []apptest.Scenario{
		{Name: "publish the sheet", As: r.publisher, Method: "POST", Path: "/redazione/contenuti/procedure/piano-triennale-informatica/passi/publish",
			Form: url.Values{"rev": {r.rev(t, content.TypeProcedure, "piano-triennale-informatica")}}, Status: 303},
		{Name: "listed under its task force", Path: "/procedure?tf=DIG", Status: 200,
			Has: map[string]string{"#tf-DIG": "Transizione digitale", "a[href='/procedure/piano-triennale-informatica']": "Piano triennale"}},
		{Name: "the task force page lists it", Path: "/task-force/digitale", Status: 200,
			Has: map[string]string{"main a[href='/procedure/piano-triennale-informatica']": "Piano triennale"}},
		{Name: "the sheet offers a request", Path: "/procedure/piano-triennale-informatica", Status: 200,
			Has: map[string]string{"a.pass-file-request[href='/area-riservata/richieste/nuova?procedura=DIG-01']": ""}},
	})
}
