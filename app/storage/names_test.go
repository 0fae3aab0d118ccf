package storage

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanName(t *testing.T) {
	cases := map[string]string{
		"report\u202efdp.csv":  "reportfdp.csv",
		"\u2067evil\u2069.pdf": "evil.pdf",
		"a\u200eb\u200fc\u061cd\u202ae\u202bf\u202cg\u202dh\u2066i\u2068j.pdf": "abcdefghij.pdf",
		"zero\u200bwidth\ufeff.txt":           "zerowidth.txt",
		"line\u2028break\u2029.txt":           "linebreak.txt",
		"tab\tnul\x00bell\x07del\x7f.pdf":     "tab nulbelldel.pdf",
		"C:\\Users\\mario\\Desktop\\atto.pdf": "atto.pdf",
		"../../etc/passwd":                    "passwd",
		`que"sto<è>|un:file*?.pdf`:            "que_sto_è__un_file__.pdf",
		"  spazi.pdf  ":                       "spazi.pdf",
		"citta\u0300.pdf":                     "città.pdf", // NFC
		"trailing dots...":                    "trailing dots",
		"..":                                  "documento",
		"\u202e":                              "documento",
		"":                                    "documento",
		"bad\xffutf8.pdf":                     "badutf8.pdf",
	}
	for in, want := range cases {
		if got := CleanName(in, "documento"); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
	long := CleanName(strings.Repeat("è", 400)+".pdf", "documento")
	if utf8.RuneCountInString(long) != MaxNameLength || !strings.HasSuffix(long, ".pdf") {
		t.Errorf("long name: %d characters %q", utf8.RuneCountInString(long), long[len(long)-8:])
	}
}
