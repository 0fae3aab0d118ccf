package crm

import "testing"

func TestParseEuros(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "0": 0, "1500": 150000, "1.500,00": 150000, "1.500,5": 150050, "1500.5": 150050,
		"€ 12,34": 1234, "1 234,00": 123400, "0,07": 7} {
		if got, ok := ParseEuros(in); !ok || got != want {
			t.Errorf("ParseEuros(%q) = %d %v, want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"-5", "1,234", "abc", "1.2.3", "1e5", ",50", "12345678901"} {
		if got, ok := ParseEuros(in); ok {
			t.Errorf("ParseEuros(%q) = %d, want refused", in, got)
		}
	}
	for cents, want := range map[int64]string{0: "0,00", 7: "0,07", 150050: "1.500,50", 123456789: "1.234.567,89", -2500: "-25,00"} {
		if got := Euros(cents); got != want {
			t.Errorf("Euros(%d) = %q, want %q", cents, got, want)
		}
	}
}

func TestFormChecks(t *testing.T) {
	for in, want := range map[string]bool{"2026-12-03": true, "03/12/2026": true, "3/12/2026": true, "2026-02-30": false, "1980-01-01": false, "domani": false} {
		if _, ok := ParseDate(in); ok != want {
			t.Errorf("ParseDate(%q) = %v", in, ok)
		}
	}
	for in, want := range map[string]bool{"+39 031 123456": true, "031/123456": true, "123": false, "031 12a": false, "39+031123456": false} {
		if validPhone(in) != want {
			t.Errorf("validPhone(%q) = %v", in, !want)
		}
	}
	for in, want := range map[string]bool{"a@comune.it": true, "Anna <a@comune.it>": false, "a@localhost": false, "nope": false} {
		if validEmail(in) != want {
			t.Errorf("validEmail(%q) = %v", in, !want)
		}
	}
}
