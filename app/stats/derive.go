package stats

import (
	"sort"
	"strconv"
	"time"
)

// Raw is what the statistics read of one request: the request, its timeline, its integrations,
// its activities and the ente's answers on the outcome.
type Raw struct {
	RequestID      int64
	EnteID         int64
	Province       string
	TaskForce      string
	ProcedureID    int64
	State          string
	SubmittedAt    time.Time
	BacklogPending int
	BacklogAvgDays int
	Events         []RawEvent
	Integrations   []RawIntegration
	Activities     []RawActivity
	Outcomes       []RawOutcome
}

// RawEvent is a line of a request's timeline.
type RawEvent struct {
	At       time.Time
	Kind     string
	From, To string
}

// RawIntegration is an integration asked of the ente.
type RawIntegration struct {
	AskedAt, DueOn, AnsweredAt time.Time
}

// RawActivity is an activity an expert recorded.
type RawActivity struct {
	ExpertID int64
	On       time.Time
	Kind     string
	Minutes  int
}

// RawOutcome is the ente's answer on the backlog at a stage; nil figures are unknown, a zero
// AnsweredAt is a question not answered yet.
type RawOutcome struct {
	Stage               string
	AskedAt, AnsweredAt time.Time
	Pending, AvgDays    *int
}

// Day is the period of a time in the daily roll-up, in Italian time.
func Day(t time.Time) string { return t.In(rome).Format("2006-01-02") }

var rome = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Rome"); err == nil {
		return l
	}
	return time.UTC
}()

// days counts the whole days from a to b.
func days(a, b time.Time) int {
	if b.Before(a) {
		return 0
	}
	return int(b.Sub(a) / (24 * time.Hour))
}

// Derive computes the facts of a request, and the cells it adds to the daily roll-up, from its raw
// rows. A request never submitted has no facts (nil): it is its ente's draft.
func Derive(r Raw, now time.Time) *Facts {
	if r.SubmittedAt.IsZero() {
		return nil
	}
	f := &Facts{RequestID: r.RequestID, EnteID: r.EnteID, Province: r.Province, TaskForce: r.TaskForce,
		ProcedureID: r.ProcedureID, State: r.State, FiledAt: r.SubmittedAt, UpdatedAt: now}
	add := func(at time.Time, measure string, bucket int, n, total int64) {
		f.Cells = append(f.Cells, Cell{Period: Day(at), TaskForce: r.TaskForce, ProcedureID: r.ProcedureID, Province: r.Province,
			Measure: measure, Bucket: bucket, N: n, Total: total})
	}
	filed := r.SubmittedAt
	add(filed, Filed, 0, 1, 0)
	if r.BacklogPending > 0 {
		add(filed, BacklogStated, 0, 1, int64(r.BacklogPending))
	}
	if r.BacklogAvgDays > 0 {
		add(filed, DaysStated, 0, 1, int64(r.BacklogAvgDays))
	}

	events := append([]RawEvent(nil), r.Events...)
	sort.SliceStable(events, func(i, j int) bool { return events[i].At.Before(events[j].At) })
	stays := map[string]time.Duration{}
	state, since := "submitted", filed
	add(filed, StateDelta+state, 0, 1, 0)
	for _, e := range events {
		if e.To == "" || e.To == e.From || e.To == state || e.At.Before(filed) || e.To == "draft" {
			continue // not a change of state, or one before the request was filed
		}
		stays[state] += e.At.Sub(since)
		add(e.At, StateDelta+state, 0, -1, 0)
		add(e.At, StateDelta+e.To, 0, 1, 0)
		switch e.To {
		case "assigned":
			if f.TriagedAt.IsZero() {
				f.TriagedAt = e.At
				add(e.At, Triaged, 0, 1, 0)
				add(e.At, Assigned, 0, 1, 0)
			}
		case "rejected":
			if f.TriagedAt.IsZero() {
				f.TriagedAt = e.At
				add(e.At, Triaged, 0, 1, 0)
			}
			add(e.At, Rejected, 0, 1, 0)
			f.ClosedAt = e.At
		case "in_progress":
			if f.StartedAt.IsZero() {
				f.StartedAt = e.At
				add(e.At, Started, 0, 1, 0)
			}
		case "concluded":
			if f.ConcludedAt.IsZero() {
				f.ConcludedAt = e.At
				add(e.At, Concluded, 0, 1, 0)
			}
			f.ClosedAt = e.At
		case "withdrawn":
			add(e.At, Withdrawn, 0, 1, 0)
			f.ClosedAt = e.At
		}
		state, since = e.To, e.At
	}
	f.StateSince = since
	if f.State == "" {
		f.State = state
	}
	since2 := func(t time.Time) *int {
		if t.IsZero() {
			return nil
		}
		d := days(filed, t)
		return &d
	}
	f.DaysToTriage, f.DaysToStart, f.DaysToConclusion = since2(f.TriagedAt), since2(f.StartedAt), since2(f.ConcludedAt)
	stay := func(st string) *int {
		d, ok := stays[st]
		if !ok {
			return nil
		}
		n := int(d / (24 * time.Hour))
		return &n
	}
	f.StaySubmitted, f.StayAssigned, f.StayInProgress, f.StayWaiting = stay("submitted"), stay("assigned"), stay("in_progress"), stay("waiting_ente")

	for _, i := range r.Integrations {
		add(i.AskedAt, Asked, 0, 1, 0)
		if i.AnsweredAt.IsZero() {
			f.IntegrationsOpen++
			if f.IntegrationDue.IsZero() || i.DueOn.Before(f.IntegrationDue) {
				f.IntegrationDue = i.DueOn
			}
			continue
		}
		add(i.AnsweredAt, Answered, 0, 1, int64(i.AnsweredAt.Sub(i.AskedAt)/time.Second))
	}
	for _, a := range r.Activities {
		add(a.On, Activity+a.Kind, 0, 1, int64(a.Minutes))
		add(a.On, Expert+strconv.FormatInt(a.ExpertID, 10), 0, 1, int64(a.Minutes))
		f.ExpertMinutes += int64(a.Minutes)
	}
	for _, o := range r.Outcomes {
		add(o.AskedAt, OutcomeAsked+o.Stage, 0, 1, 0)
		if o.AnsweredAt.IsZero() {
			continue
		}
		add(o.AnsweredAt, OutcomeAnswer+o.Stage, 0, 1, 0)
		if o.Pending != nil && r.BacklogPending > 0 {
			add(o.AnsweredAt, BacklogBefore+o.Stage, 0, 1, int64(r.BacklogPending))
			add(o.AnsweredAt, BacklogAfter+o.Stage, 0, 1, int64(*o.Pending))
		}
		if o.AvgDays != nil && r.BacklogAvgDays > 0 {
			add(o.AnsweredAt, DaysBefore+o.Stage, 0, 1, int64(r.BacklogAvgDays))
			add(o.AnsweredAt, DaysAfter+o.Stage, 0, 1, int64(*o.AvgDays))
		}
	}
	f.Cells = merge(f.Cells)
	return f
}

// merge sums the cells that share a key, in a stable order.
func merge(cells []Cell) []Cell {
	idx := map[key]int{}
	var out []Cell
	for _, c := range cells {
		if i, ok := idx[c.key()]; ok {
			out[i].N += c.N
			out[i].Total += c.Total
			continue
		}
		idx[c.key()] = len(out)
		out = append(out, c)
	}
	kept := out[:0]
	for _, c := range out {
		if c.N != 0 || c.Total != 0 {
			kept = append(kept, c)
		}
	}
	return kept
}

// Diff returns what turns the roll-ups' share of before into after: after's cells minus before's.
func Diff(before, after []Cell) []Cell {
	neg := make([]Cell, 0, len(before)+len(after))
	for _, c := range before {
		c.N, c.Total = -c.N, -c.Total
		neg = append(neg, c)
	}
	return merge(append(neg, after...))
}

// Month is the monthly period of a daily cell.
func (c Cell) Month() Cell {
	c.Period = c.Period[:7]
	return c
}

// AllProvinces stands for the province in the roll-up's cut by procedure.
const AllProvinces = "*"

// Cuts are the cells of the monthly roll-up a daily cell adds to: one by procedure (province
// AllProvinces) and one by province (procedure 0). A roll-up by procedure and province and month
// would have about as many rows as there are requests.
func (c Cell) Cuts() [2]Cell {
	m := c.Month()
	byProcedure, byProvince := m, m
	byProcedure.Province = AllProvinces
	byProvince.ProcedureID = 0
	return [2]Cell{byProcedure, byProvince}
}
