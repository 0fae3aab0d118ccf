package auth

import (
	"errors"
	"testing"
)

func TestNormalizeFiscalCode(t *testing.T) {
	good := map[string]string{
		"RSSMRA80A01F205X":        "TINIT-RSSMRA80A01F205X",
		"tinit-rssmra80a01f205x":  "TINIT-RSSMRA80A01F205X",
		" RSSMRA80A01 F205X ":     "TINIT-RSSMRA80A01F205X",
		"TINIT-BNCGLI75M41L219LU": "",
	}
	for in, want := range good {
		got, err := NormalizeFiscalCode(in)
		if want == "" {
			if err == nil {
				t.Errorf("%q accepted as %q", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%q = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "RSSMRA80A01F205Y", "RSSMRA80A01F205", "12345678901", "RSSMRA80Z01F205X"} {
		if _, err := NormalizeFiscalCode(bad); !errors.Is(err, ErrNoCode) {
			t.Errorf("%q accepted", bad)
		}
	}
}
