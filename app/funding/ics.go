package funding

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// UIDDomain ends every event's UID: "deadline-<id>@<host>", the same on every fetch, so a
// calendar application updates a moved deadline instead of adding a second one.
func UID(d Deadline, host string) string {
	return "deadline-" + strconv.FormatInt(d.ID, 10) + "@" + host
}

// WriteCalendar writes the entries as an iCalendar feed: one event per deadline, at its time in
// Europe/Rome (a VTIMEZONE-free TZID that every calendar application knows) or, without a time,
// as a whole-day event; updated is the DTSTAMP of every event (the calls' last change), so two
// fetches of an unchanged calendar are the same bytes.
func WriteCalendar(w io.Writer, name, baseURL, host string, entries []Entry, updated time.Time) error {
	cal := ics.NewCalendarFor("PAsS")
	cal.SetMethod(ics.MethodPublish)
	cal.SetProductId("-//PAsS//Scadenzario bandi//IT")
	cal.SetXWRCalName(name)
	cal.SetXWRTimezone("Europe/Rome")
	cal.SetRefreshInterval("PT6H")
	cal.AddVTimezone(romeZone())
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	for _, e := range entries {
		d, c := e.Deadline, e.Call
		ev := cal.AddEvent(UID(d, host))
		ev.SetDtStampTime(updated.UTC())
		if d.AllDay() {
			day, _ := time.Parse(DateLayout, d.DueOn)
			ev.SetAllDayStartAt(day)
			ev.SetAllDayEndAt(day.AddDate(0, 0, 1))
		} else {
			at := d.At()
			ev.SetProperty(ics.ComponentPropertyDtStart, at.Format("20060102T150405"), ics.WithTZID("Europe/Rome"))
			ev.SetProperty(ics.ComponentPropertyDtEnd, at.Add(time.Hour).Format("20060102T150405"), ics.WithTZID("Europe/Rome"))
		}
		summary := c.Title
		if d.Label != "" {
			summary += " – " + d.Label
		}
		ev.SetSummary(summary)
		var desc []string
		desc = append(desc, c.Programme)
		if c.Authority != "" {
			desc = append(desc, c.Authority)
		}
		if c.URL != "" {
			desc = append(desc, c.URL)
		}
		ev.SetDescription(strings.Join(desc, "\n"))
		ev.SetURL(strings.TrimRight(baseURL, "/") + CallURL(c.Slug))
		if len(c.Topics) > 0 {
			ev.SetProperty(ics.ComponentPropertyCategories, strings.Join(escapeList(c.Topics), ","))
		}
		ev.SetProperty(ics.ComponentPropertyTransp, "TRANSPARENT")
	}
	return cal.SerializeTo(w)
}

func escapeList(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strings.ReplaceAll(s, ",", " ")
	}
	return out
}

// romeZone is the VTIMEZONE of Europe/Rome (CET, CEST from the last Sunday of March to the last
// Sunday of October), which RFC 5545 wants beside the events that name its TZID.
func romeZone() *ics.VTimezone {
	tz := ics.NewTimezone("Europe/Rome")
	std := &ics.Standard{}
	for _, p := range [][2]string{{"DTSTART", "19701025T030000"}, {"TZOFFSETFROM", "+0200"}, {"TZOFFSETTO", "+0100"},
		{"TZNAME", "CET"}, {"RRULE", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"}} {
		std.SetProperty(ics.ComponentProperty(p[0]), p[1])
	}
	dst := &ics.Daylight{}
	for _, p := range [][2]string{{"DTSTART", "19700329T020000"}, {"TZOFFSETFROM", "+0100"}, {"TZOFFSETTO", "+0200"},
		{"TZNAME", "CEST"}, {"RRULE", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"}} {
		dst.SetProperty(ics.ComponentProperty(p[0]), p[1])
	}
	tz.Components = append(tz.Components, std, dst)
	return tz
}

// Feed is the iCalendar of the deadlines f selects (WriteCalendar), kept until a published call
// changes.
func (s *Service) Feed(ctx context.Context, f Filter, title, baseURL, host string, modified time.Time) ([]byte, error) {
	v, _, err := s.version(ctx)
	if err != nil {
		return nil, err
	}
	key := strings.Join([]string{"feed", v, f.Programme, f.Topic, f.From, title, baseURL, host}, "\x00")
	return cached(s, key, func() ([]byte, error) {
		entries, err := s.Calendar(ctx, f, 0)
		if err != nil {
			return nil, err
		}
		name := title
		if f.Programme != "" {
			name += " – " + f.Programme
		}
		if f.Topic != "" {
			name += " – " + f.Topic
		}
		var buf bytes.Buffer
		if err := WriteCalendar(&buf, name, baseURL, host, entries, modified); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	})
}
