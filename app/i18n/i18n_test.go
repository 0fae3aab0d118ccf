package i18n

import (
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
