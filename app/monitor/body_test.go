package monitor

import (
	"strings"
	"testing"
	"time"

	"passhub/app/stats"
)

func TestSemesters(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 7, 1, 6, 0, 0, 0, rome), "2026-S1"},
		{time.Date(2026, 6, 30, 23, 59, 0, 0, rome), "2025-S2"},
		{time.Date(2026, 6, 30, 22, 30, 0, 0, time.UTC), "2026-S1"}, // already 1 July in Rome
		{time.Date(2027, 1, 1, 0, 0, 0, 0, rome), "2026-S2"},
		{time.Date(2026, 12, 31, 12, 0, 0, 0, rome), "2026-S1"},
	} {
		if got := Previous(c.at).String(); got != c.want {
			t.Errorf("Previous(%v) = %s, want %s", c.at, got, c.want)
		}
	}
	s2, err := ParseSemester("2026-s2")
	if err != nil || s2 != (Semester{2026, 2}) {
		t.Fatal(s2, err)
	}
	if from, to := s2.Months(); from != "2026-07" || to != "2026-12" {
		t.Errorf("months %s %s", from, to)
	}
	if s2.Slug() != "monitoraggio-2026-secondo-semestre" || s2.Title() != "Report di monitoraggio – secondo semestre 2026" ||
		s2.DatasetName() != "monitoraggio-2026-s2.csv" || s2.DataURL() != "/dati?da=2026-07&a=2026-12" {
		t.Errorf("%s %s %s %s", s2.Slug(), s2.Title(), s2.DatasetName(), s2.DataURL())
	}
	if !s2.End().Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, rome)) {
		t.Errorf("end %v", s2.End())
	}
}

func TestPublicRule(t *testing.T) {
	for n, want := range map[int64]string{0: "< 3", 1: "< 3", 2: "< 3", 3: "3", 999: "999", 1234: "1.234", 1234567: "1.234.567"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
	if got := days(&stats.Dist{N: 2, Median: 12}, median); got != "n. d." {
		t.Errorf("a median of two requests: %q", got)
	}
	if got := days(&stats.Dist{N: 3, Median: 12}, median); got != "12" {
		t.Errorf("a median of three requests: %q", got)
	}
	if got := change(stats.Pair{N: 3, Before: 50, After: 30}); got != "−40%" {
		t.Errorf("change %q", got)
	}
	if got := change(stats.Pair{N: 3, Before: 100, After: 105}); got != "+5%" {
		t.Errorf("change %q", got)
	}
}

// TestOutcomesInTheBody writes the backlog's section from answers: pairs known for at least 3
// requests are given before → after, fewer are "dato non disponibile", a stage without answers too.
func TestOutcomesInTheBody(t *testing.T) {
	f := stats.Figures{Stays: map[string]*stats.Dist{}, Outcomes: map[string]stats.Outcome{
		stats.StageConcluded: {Asked: 5, Answered: 4, Backlog: stats.Pair{N: 4, Before: 120, After: 72}, Days: stats.Pair{N: 2, Before: 300, After: 200}},
	}}
	body := Report{Semester: Semester{2026, 1}, Figures: f, Generated: time.Date(2026, 7, 1, 6, 0, 0, 0, rome)}.Body()
	for _, want := range []string{
		"| Alla conclusione dell'intervento | 5 | 4 | 120 → 72 (−40%) | dato non disponibile |",
		"| Sei mesi dopo la conclusione | < 3 | < 3 | dato non disponibile | dato non disponibile |",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the body lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "Esito sull'arretrato: dato non disponibile") {
		t.Error("answers exist, yet the outcome is said not available")
	}
	empty := Report{Semester: Semester{2026, 1}, Figures: stats.Figures{}}.Body()
	if !strings.Contains(empty, "Esito sull'arretrato: dato non disponibile.") || !strings.Contains(empty, "Nessuna richiesta nel semestre.") {
		t.Errorf("an empty semester:\n%s", empty)
	}
}
