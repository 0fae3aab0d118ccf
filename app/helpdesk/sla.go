package helpdesk

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/it"
)

// Rome is the help desk's time zone: working hours are Italian office hours.
var Rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err)
	}
	return l
}()

// Calendar counts working hours: Monday to Friday, 9:00 to 17:00 in Rome, without the Italian
// public holidays (those of the whole country; a comune's patron saint is not one).
type Calendar struct{ c *cal.BusinessCalendar }

// NewCalendar returns the help desk's working calendar.
func NewCalendar() *Calendar {
	c := cal.NewBusinessCalendar()
	c.Name = "PAsS help desk"
	c.AddHoliday(it.Holidays...)
	c.SetWorkHours(9*time.Hour, 17*time.Hour)
	return &Calendar{c: c}
}

// Add returns the moment d working hours after t.
func (c *Calendar) Add(t time.Time, d time.Duration) time.Time {
	return c.c.AddWorkHours(t.In(Rome), d).UTC()
}

// Between returns the working hours from a to b (0 when b is not after a).
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	return c.c.WorkHoursInRange(a.In(Rome), b.In(Rome))
}

// Holiday reports whether t falls on an Italian public holiday, and its name.
func (c *Calendar) Holiday(t time.Time) (bool, string) {
	_, obs, h := c.c.IsHoliday(t.In(Rome))
	if !obs || h == nil {
		return false, ""
	}
	return true, h.Name
}

// Target is a service level: the working hours to the first answer and to the resolution.
type Target struct{ Answer, Resolve time.Duration }

// Targets are the service levels of each priority.
var Targets = map[string]Target{
	PriorityUrgent: {Answer: 1 * time.Hour, Resolve: 8 * time.Hour},
	PriorityHigh:   {Answer: 4 * time.Hour, Resolve: 16 * time.Hour},
	PriorityNormal: {Answer: 8 * time.Hour, Resolve: 40 * time.Hour},
	PriorityLow:    {Answer: 16 * time.Hour, Resolve: 80 * time.Hour},
}

// RemindBefore is how long, in working hours, before a due time its reminder goes out.
const RemindBefore = time.Hour
