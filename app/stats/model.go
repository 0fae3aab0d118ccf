package stats

import (
	"time"

	"github.com/uptrace/bun"
)

// Measures of the roll-ups. A measure that ends with ":" is followed by a state, an activity kind
// or an outcome stage.
const (
	Filed      = "filed"       // submitted on the day
	Triaged    = "triaged"     // assigned or rejected on the day
	Assigned   = "assigned"    // first assigned on the day
	Rejected   = "rejected"    // rejected on the day
	Withdrawn  = "withdrawn"   // withdrawn, after submission, on the day
	Started    = "started"     // first expert activity on the day
	Concluded  = "concluded"   // concluded on the day
	StateDelta = "state:"      // +1 on the day a request entered the state, -1 on the day it left it
	Asked      = "integration" // an integration asked on the day
	Answered   = "answered"    // an integration answered on the day; total: the seconds it took
	Activity   = "activity:"   // activities of the kind on the day; total: minutes
	// Expert is followed by an expert's user id: their activities on the day; total: minutes.
	// Never public: only the analysis panel reads it (Workload).
	Expert = "expert:"
	// The backlog the ente stated when filing (a figure of 0 counts as not stated): total is the
	// number of pending cases, or the average days to conclude.
	BacklogStated = "backlog"
	DaysStated    = "days"
	OutcomeAsked  = "outcome_asked:"    // the ente was asked for the figures again (stage: concluded, six_months)
	OutcomeAnswer = "outcome_answered:" // the ente answered, figures known or not
	// Pairs of figures known before and after, on the day of the answer: total is the figure
	// stated at filing (before) or in the answer (after).
	BacklogBefore = "backlog_before:"
	BacklogAfter  = "backlog_after:"
	DaysBefore    = "days_before:"
	DaysAfter     = "days_after:"
)

// Outcome stages: when the ente is asked for the backlog figures again.
const (
	StageConcluded = "concluded"
	StageSixMonths = "six_months"
)

// Cell is one measure on one day (or month) for one task force, procedure and province. In the
// monthly roll-up a cell belongs to one of two cuts: by procedure (Province "") or by province
// (ProcedureID 0).
type Cell struct {
	Period      string `bun:"period" json:"p"` // YYYY-MM-DD or YYYY-MM
	TaskForce   string `bun:"task_force" json:"tf"`
	ProcedureID int64  `bun:"procedure_id" json:"pr"`
	Province    string `bun:"province" json:"pv"`
	Measure     string `bun:"measure" json:"m"`
	Bucket      int    `bun:"bucket" json:"b,omitempty"`
	N           int64  `bun:"n" json:"n"`
	Total       int64  `bun:"total" json:"t,omitempty"`
}

// key names a cell without its values.
type key struct {
	Period, TaskForce, Province, Measure string
	ProcedureID                          int64
	Bucket                               int
}

func (c Cell) key() key {
	return key{c.Period, c.TaskForce, c.Province, c.Measure, c.ProcedureID, c.Bucket}
}

// requestCells are the daily cells a request added to the roll-up.
type requestCells struct {
	bun.BaseModel `bun:"table:stats_request_cells"`

	RequestID int64  `bun:"request_id,pk"`
	EnteID    int64  `bun:"ente_id"`
	Cells     []Cell `bun:"cells"`
}

// Facts is what the statistics know of one submitted request: where it belongs, where it is, the
// times of its steps, and the daily cells it adds to the roll-up. Durations are medians over
// requests, so they are read from these rows (an index per dimension) rather than summed.
type Facts struct {
	bun.BaseModel `bun:"table:stats_requests"`

	RequestID        int64     `bun:"request_id,pk"`
	EnteID           int64     `bun:"ente_id"`
	Province         string    `bun:"province"`
	TaskForce        string    `bun:"task_force"`
	ProcedureID      int64     `bun:"procedure_id"`
	State            string    `bun:"state"`
	StateSince       time.Time `bun:"state_since,nullzero"`
	FiledAt          time.Time `bun:"filed_at,nullzero"`
	TriagedAt        time.Time `bun:"triaged_at,nullzero"`
	StartedAt        time.Time `bun:"started_at,nullzero"`
	ConcludedAt      time.Time `bun:"concluded_at,nullzero"`
	ClosedAt         time.Time `bun:"closed_at,nullzero"`
	IntegrationsOpen int       `bun:"integrations_open"`
	IntegrationDue   time.Time `bun:"integration_due,nullzero"`
	ExpertMinutes    int64     `bun:"expert_minutes"`
	// Whole days from filing to the triage, to the first expert activity and to the conclusion,
	// and spent in each state (all its stays); nil when the request never got there.
	DaysToTriage     *int      `bun:"days_to_triage"`
	DaysToStart      *int      `bun:"days_to_start"`
	DaysToConclusion *int      `bun:"days_to_conclusion"`
	StaySubmitted    *int      `bun:"stay_submitted"`
	StayAssigned     *int      `bun:"stay_assigned"`
	StayInProgress   *int      `bun:"stay_in_progress"`
	StayWaiting      *int      `bun:"stay_waiting"`
	Cells            []Cell    `bun:"-"` // kept in stats_request_cells
	UpdatedAt        time.Time `bun:"updated_at"`
}
