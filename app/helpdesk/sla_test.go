package helpdesk

import (
	"testing"
	"time"
)

func rome(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Rome)
	if err != nil {
		panic(err)
	}
	return t
}

// TestWorkingHours counts the service levels in Italian office hours: weekends, national
// holidays (Easter Monday, San Francesco from 2026, Christmas) and the hours outside 9-17 do not
// count.
func TestWorkingHours(t *testing.T) {
	c := NewCalendar()
	cases := []struct {
		from  string
		hours time.Duration
		want  string
	}{
		{"2026-12-04 10:00", 1 * time.Hour, "2026-12-04 11:00"},  // a Friday morning
		{"2026-12-04 16:30", 8 * time.Hour, "2026-12-07 16:30"},  // over the weekend
		{"2026-12-04 20:00", 1 * time.Hour, "2026-12-07 10:00"},  // after hours: from Monday's start
		{"2026-12-07 16:00", 2 * time.Hour, "2026-12-09 10:00"},  // 8 December, the Immacolata
		{"2026-12-24 16:00", 8 * time.Hour, "2026-12-28 16:00"},  // Christmas and Santo Stefano
		{"2026-10-02 16:00", 8 * time.Hour, "2026-10-05 16:00"},  // 4 October 2026 is a Sunday
		{"2027-10-01 16:00", 8 * time.Hour, "2027-10-05 16:00"},  // 4 October 2027, a Monday, is a holiday
		{"2027-03-26 16:00", 16 * time.Hour, "2027-03-31 16:00"}, // Easter Monday 29 March 2027
		{"2026-12-31 09:00", 40 * time.Hour, "2027-01-08 17:00"}, // New Year and the Epiphany
	}
	for _, tc := range cases {
		got := c.Add(rome(tc.from), tc.hours).In(Rome).Format("2006-01-02 15:04")
		if got != tc.want {
			t.Errorf("%s + %s = %s, want %s", tc.from, tc.hours, got, tc.want)
		}
		if back := c.Between(rome(tc.from), rome(tc.want)); tc.from[11:] >= "09:00" && tc.from[11:] <= "17:00" && back != tc.hours {
			t.Errorf("between %s and %s: %s, want %s", tc.from, tc.want, back, tc.hours)
		}
	}
	if ok, name := c.Holiday(rome("2026-12-08 12:00")); !ok || name == "" {
		t.Errorf("8 December: %v %q", ok, name)
	}
	if ok, _ := c.Holiday(rome("2026-12-09 12:00")); ok {
		t.Error("9 December is a working day")
	}
}

// TestLevels: a level is late once its due time passes unmet, met levels keep whether they were
// late, and the resolution's clock stops while the ticket waits for the requester.
func TestLevels(t *testing.T) {
	c := NewCalendar()
	s := &Service{cal: c}
	opened := rome("2026-12-04 10:00").UTC()
	tk := &Ticket{Priority: PriorityNormal, Status: StatusNew, CreatedAt: opened,
		AnswerDue: c.Add(opened, Targets[PriorityNormal].Answer), ResolveDue: c.Add(opened, Targets[PriorityNormal].Resolve)}
	answer, resolve := tk.Levels(c, rome("2026-12-04 15:00"))
	if answer.Late || answer.HoursLeft() != 3 || resolve.Late || resolve.HoursLeft() != 35 {
		t.Fatalf("at 15:00: answer %+v (%dh), resolve %+v (%dh)", answer, answer.HoursLeft(), resolve, resolve.HoursLeft())
	}
	if answer, _ = tk.Levels(c, rome("2026-12-07 11:00")); !answer.Late {
		t.Error("the first answer is late on Monday at 11:00")
	}
	// Answered on Friday at 12:00 and waiting for the requester until Wednesday at 12:00: 5 hours
	// on Friday, 8 on Monday, none on Tuesday the 8th (a holiday), 3 on Wednesday move the
	// resolution's due time by 16 working hours.
	tk.AnsweredAt = rome("2026-12-04 12:00").UTC()
	s.moveTo(tk, StatusWaiting, tk.AnsweredAt)
	due := tk.ResolveDue
	_, resolve = tk.Levels(c, rome("2026-12-09 12:00"))
	if !resolve.Due.Equal(c.Add(due, 16*time.Hour)) || resolve.Late {
		t.Fatalf("while waiting: due %s, want %s", resolve.Due.In(Rome), c.Add(due, 16*time.Hour).In(Rome))
	}
	s.moveTo(tk, StatusOpen, rome("2026-12-09 12:00").UTC())
	if !tk.ResolveDue.Equal(c.Add(due, 16*time.Hour)) || !tk.WaitingSince.IsZero() {
		t.Fatalf("after the wait: due %s", tk.ResolveDue.In(Rome))
	}
	s.moveTo(tk, StatusResolved, rome("2026-12-18 10:00").UTC())
	if _, resolve = tk.Levels(c, rome("2027-01-20 10:00")); !resolve.Late || resolve.Met.IsZero() {
		t.Errorf("resolved late: %+v", resolve)
	}
}
