package monitor

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	_ "time/tzdata" // semesters are Italian time wherever the server runs
)

// ErrSemester is a semester that is not written YYYY-S1 or YYYY-S2.
var ErrSemester = errors.New("monitor: a semester is written YYYY-S1 or YYYY-S2")

// ErrNotOver is a semester that has not ended yet: its report would miss months.
var ErrNotOver = errors.New("monitor: the semester has not ended yet")

var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return l
}()

// Semester is one half of a year: H1 is January–June, H2 July–December.
type Semester struct {
	Year int
	Half int // 1 or 2
}

// ParseSemester reads "2026-S1" (or "2026-s2").
func ParseSemester(s string) (Semester, error) {
	y, h, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(s)), "-S")
	year, err := strconv.Atoi(y)
	if !ok || err != nil || len(y) != 4 || (h != "1" && h != "2") {
		return Semester{}, fmt.Errorf("%w: %q", ErrSemester, s)
	}
	return Semester{Year: year, Half: int(h[0] - '0')}, nil
}

// String is the semester as ParseSemester reads it.
func (s Semester) String() string { return fmt.Sprintf("%d-S%d", s.Year, s.Half) }

// Previous returns the last semester that ended before t (Italian time): on 1 July 2026 it is
// 2026-S1, on 1 January 2027 2026-S2.
func Previous(t time.Time) Semester {
	t = t.In(rome)
	if t.Month() <= time.June {
		return Semester{Year: t.Year() - 1, Half: 2}
	}
	return Semester{Year: t.Year(), Half: 1}
}

// Months are the semester's first and last months, YYYY-MM, as stats.Filter and /dati take them.
func (s Semester) Months() (from, to string) {
	first := 1 + 6*(s.Half-1)
	return fmt.Sprintf("%04d-%02d", s.Year, first), fmt.Sprintf("%04d-%02d", s.Year, first+5)
}

// Start and End are the first instant of the semester and of the one after, Italian time.
func (s Semester) Start() time.Time {
	return time.Date(s.Year, time.Month(1+6*(s.Half-1)), 1, 0, 0, 0, 0, rome)
}

// End is the first instant after the semester, Italian time.
func (s Semester) End() time.Time { return s.Start().AddDate(0, 6, 0) }

// ordinal is the semester's Italian name.
func (s Semester) ordinal() string {
	if s.Half == 1 {
		return "primo"
	}
	return "secondo"
}

// Slug is the newsroom slug of the semester's report.
func (s Semester) Slug() string {
	return fmt.Sprintf("monitoraggio-%d-%s-semestre", s.Year, s.ordinal())
}

// Title is the report's Italian title, as the shipped reports have it.
func (s Semester) Title() string {
	return fmt.Sprintf("Report di monitoraggio – %s semestre %d", s.ordinal(), s.Year)
}

var months = [...]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
	"ottobre", "novembre", "dicembre"}

// italianDate writes a day as "1° luglio 2026", "30 giugno 2026".
func italianDate(t time.Time) string {
	d := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		d += "°"
	}
	return fmt.Sprintf("%s %s %d", d, months[t.Month()-1], t.Year())
}

// monthName writes "2026-03" as "marzo 2026".
func monthName(ym string) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	return fmt.Sprintf("%s %d", months[t.Month()-1], t.Year())
}
