package i18n

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestDomainCataloguesAddMessages(t *testing.T) {
	fsys := fstest.MapFS{
		"i18n/it.json":      {Data: []byte(`{"a": "uno"}`)},
		"i18n/en.json":      {Data: []byte(`{"a": "one"}`)},
		"i18n/work.it.json": {Data: []byte(`{"b": "due"}`)},
		"i18n/work.en.json": {Data: []byte(`{"b": "two"}`)},
	}
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("en", "b"); got != "two" {
		t.Fatalf("en b = %q", got)
	}
	if got := c.T("it", "a"); got != "uno" {
		t.Fatalf("it a = %q", got)
	}
}

func TestDuplicateMessageIsRefused(t *testing.T) {
	fsys := fstest.MapFS{
		"i18n/it.json":      {Data: []byte(`{"a": "uno"}`)},
		"i18n/en.json":      {Data: []byte(`{"a": "one"}`)},
		"i18n/work.it.json": {Data: []byte(`{"a": "altro"}`)},
	}
	_, err := Load(fsys)
	if err == nil || !strings.Contains(err.Error(), "already defined") {
		t.Fatalf("err = %v", err)
	}
}

// TestPluralForms checks that a count picks the message's form in both languages, in the
// shipped catalogues: "1 richiesta", never "1 richieste".
func TestPluralForms(t *testing.T) {
	c, err := Load(os.DirFS(filepath.Join("..", "..", "themes", "default")))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		lang, id string
		count    any
		want     string
	}{
		{"it", "triage.count", 1, "1 richiesta"},
		{"it", "triage.count", 2, "2 richieste"},
		{"it", "triage.count", 0, "0 richieste"},
		{"en", "triage.count", 1, "1 request"},
		{"en", "triage.count", 3, "3 requests"},
		{"it", "triage.open", 1, "1 richiesta aperta"},
		{"it", "home.procedures", 1, "1 procedura"},
		{"it", "catalogue.count", 1, "1 procedura trovata"},
		{"en", "catalogue.count", 1, "1 procedure found"},
		{"it", "admin.enti.total", 1, "1 ente nel registro."},
		{"it", "dashboard.queue", 1, "1 richiesta da valutare"},
		{"en", "dashboard.queue", 1, "1 request to review"},
		{"it", "search.results", 1, "1 risultato per «via»"},
		{"en", "search.results", 2, "2 results for “via”"},
	}
	for _, k := range cases {
		if got := c.T(k.lang, k.id, "Count", k.count, "Query", "via"); got != k.want {
			t.Errorf("%s %s %v = %q, want %q", k.lang, k.id, k.count, got, k.want)
		}
	}
}
