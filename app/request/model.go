package request

import (
	"time"

	"github.com/uptrace/bun"
)

// State is where a request is in its life.
type State string

// States of a request.
const (
	Draft      State = "draft"
	Submitted  State = "submitted"
	Rejected   State = "rejected"
	Assigned   State = "assigned"
	InProgress State = "in_progress"
	Waiting    State = "waiting_ente"
	Concluded  State = "concluded"
	Archived   State = "archived"
	Withdrawn  State = "withdrawn"
)

// States lists every state in lifecycle order (dashboards count by it).
var States = []State{Draft, Submitted, Assigned, InProgress, Waiting, Concluded, Archived, Rejected, Withdrawn}

// Open reports whether work can still happen on a request in s.
func (s State) Open() bool {
	switch s {
	case Assigned, InProgress, Waiting:
		return true
	}
	return false
}

// Request is an ente's request for help on one procedure.
type Request struct {
	bun.BaseModel `bun:"table:requests"`

	ID             int64     `bun:"id,pk,autoincrement"`
	EnteID         int64     `bun:"ente_id"`
	ProcedureID    int64     `bun:"procedure_id"`
	TaskForce      string    `bun:"task_force"`
	Title          string    `bun:"title"`
	Description    string    `bun:"description"`
	BacklogPending int       `bun:"backlog_pending"`
	BacklogAvgDays int       `bun:"backlog_avg_days"`
	Bottleneck     string    `bun:"bottleneck"`
	DesiredOutcome string    `bun:"desired_outcome"`
	State          State     `bun:"state"`
	Reason         string    `bun:"reason"`
	Summary        string    `bun:"summary"`
	CreatedBy      int64     `bun:"created_by"`
	CreatedAt      time.Time `bun:"created_at"`
	SubmittedAt    time.Time `bun:"submitted_at,nullzero"`
	UpdatedAt      time.Time `bun:"updated_at"`

	// Filled by the store for pages.
	EnteName       string   `bun:"ente_name,scanonly"`
	EnteProvince   string   `bun:"ente_province,scanonly"`
	ProcedureCode  string   `bun:"procedure_code,scanonly"`
	ProcedureTitle string   `bun:"procedure_title,scanonly"`
	Experts        []Expert `bun:"-"`
}

// Draft reports whether the request was never submitted (a draft, or a draft withdrawn): it
// belongs to its ente alone.
func (r *Request) Draft() bool { return r.SubmittedAt.IsZero() }

// ExpertIDs returns the ids of the assigned experts.
func (r *Request) ExpertIDs() []int64 {
	ids := make([]int64, len(r.Experts))
	for i, e := range r.Experts {
		ids[i] = e.UserID
	}
	return ids
}

// Expert is an expert assigned to a request.
type Expert struct {
	bun.BaseModel `bun:"table:request_experts"`

	RequestID  int64     `bun:"request_id,pk"`
	UserID     int64     `bun:"user_id,pk"`
	AssignedBy int64     `bun:"assigned_by,nullzero"`
	CreatedAt  time.Time `bun:"created_at"`
	Name       string    `bun:"name,scanonly"`
}

// Event is one line of a request's timeline: a state change or another fact of its life.
type Event struct {
	bun.BaseModel `bun:"table:request_events"`

	ID        int64     `bun:"id,pk,autoincrement"`
	RequestID int64     `bun:"request_id"`
	At        time.Time `bun:"at"`
	ActorID   int64     `bun:"actor_id,nullzero"`
	Actor     string    `bun:"actor"`
	Kind      string    `bun:"kind"`
	FromState State     `bun:"from_state"`
	ToState   State     `bun:"to_state"`
	Detail    string    `bun:"detail"`
}

// Integration is a checklist of documents or information the experts ask the ente for.
type Integration struct {
	bun.BaseModel `bun:"table:integrations"`

	ID         int64     `bun:"id,pk,autoincrement"`
	RequestID  int64     `bun:"request_id"`
	AskedBy    int64     `bun:"asked_by"`
	Items      []string  `bun:"items"`
	Note       string    `bun:"note"`
	DueOn      time.Time `bun:"due_on"`
	AnsweredAt time.Time `bun:"answered_at,nullzero"`
	AnsweredBy int64     `bun:"answered_by,nullzero"`
	Answer     string    `bun:"answer"`
	CreatedAt  time.Time `bun:"created_at"`
}

// Open reports whether the integration still waits for the ente.
func (i *Integration) Open() bool { return i.AnsweredAt.IsZero() }
