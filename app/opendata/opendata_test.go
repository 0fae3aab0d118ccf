package opendata

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

func TestParseFilter(t *testing.T) {
	tfs, pvs := map[string]bool{"VA": true}, map[string]bool{"CO": true}
	for _, c := range []struct {
		q    map[string]string
		errs map[string]string
	}{
		{map[string]string{"da": "2026-01", "a": "2026-12", "tf": "va", "provincia": " co "}, map[string]string{}},
		{map[string]string{"da": "2026-13"}, map[string]string{"da": "dati.error.month"}},
		{map[string]string{"a": "2026-1"}, map[string]string{"a": "dati.error.month"}},
		{map[string]string{"da": "2026-03", "a": "2026-01"}, map[string]string{"a": "dati.error.order"}},
		{map[string]string{"tf": "XX", "provincia": "ZZ"}, map[string]string{"tf": "dati.error.taskforce", "provincia": "dati.error.province"}},
	} {
		f := parseFilter(func(k string) string { return c.q[k] }, tfs, pvs)
		if len(f.Errors) != len(c.errs) {
			t.Errorf("%v: errors %v, want %v", c.q, f.Errors, c.errs)
		}
		for k, v := range c.errs {
			if f.Errors[k] != v {
				t.Errorf("%v: %s = %q, want %q", c.q, k, f.Errors[k], v)
			}
		}
	}
	f := parseFilter(func(k string) string { return map[string]string{"tf": "va", "da": "2026-01"}[k] }, tfs, pvs)
	if f.TaskForce != "VA" || f.Query() != "?da=2026-01&tf=VA" || f.Query(ParamTaskForce) != "?da=2026-01" {
		t.Errorf("filter %+v, query %q", f, f.Query())
	}
}

func TestEncodings(t *testing.T) {
	ds := &Dataset{Name: "prova", Columns: []Column{{"nome", KindText}, {"richieste", KindCount}, {"giorni", KindDays}}}
	rows := [][]Value{
		{text(`Procedura "A", con virgola`), count(2), measure(2, 10)},
		{text("B"), count(7), measure(7, 12.5)},
		{text("C"), count(0), measure(0, 0)},
	}
	b, err := ds.CSV(rows)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"nome", "richieste", "giorni", "soppressi"}, {`Procedura "A", con virgola`, "", "", "richieste giorni"},
		{"B", "7", "12.5", ""}, {"C", "", "", "richieste giorni"}}
	if len(recs) != len(want) {
		t.Fatalf("records %q", recs)
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("record %d = %q, want %q", i, recs[i], want[i])
		}
	}
	if !strings.Contains(string(b), "\r\n") {
		t.Error("CSV lines do not end with CRLF")
	}
	j, err := ds.JSON(Document{Dataset: "prova", License: License}, rows)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rows []map[string]any `json:"righe"`
	}
	if err := json.Unmarshal(j, &doc); err != nil {
		t.Fatalf("%v: %s", err, j)
	}
	if len(doc.Rows) != 3 || doc.Rows[0]["richieste"] != nil || len(doc.Rows[0]["soppressi"].([]any)) != 2 || doc.Rows[1]["giorni"] != 12.5 ||
		doc.Rows[2]["richieste"] != nil || doc.Rows[2]["giorni"] != nil || len(doc.Rows[2]["soppressi"].([]any)) != 2 {
		t.Errorf("rows %v", doc.Rows)
	}
	if i := strings.Index(string(j), `"nome"`); i < 0 || i > strings.Index(string(j), `"richieste":null`) {
		t.Errorf("keys out of the columns' order: %s", j)
	}
}
