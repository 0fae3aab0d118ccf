package catalogue

import (
	"time"

	"github.com/uptrace/bun"
)

// TaskForce is a thematic group of experts led by a project manager.
type TaskForce struct {
	bun.BaseModel `bun:"table:task_forces"`

	ID         int64        `bun:"id,pk,autoincrement" json:"-"`
	Code       string       `bun:"code" json:"code"`
	Slug       string       `bun:"slug" json:"slug"`
	Title      string       `bun:"title" json:"title"`
	Summary    string       `bun:"summary" json:"summary"`
	Weight     int          `bun:"weight" json:"-"`
	EntryID    int64        `bun:"entry_id,nullzero" json:"-"`
	UpdatedAt  time.Time    `bun:"updated_at" json:"-"`
	Procedures []*Procedure `bun:"rel:has-many,join:id=task_force_id" json:"procedures"`
}

// Procedure is a complex administrative procedure of the catalogue.
type Procedure struct {
	bun.BaseModel `bun:"table:procedures"`

	ID              int64      `bun:"id,pk,autoincrement" json:"-"`
	Code            string     `bun:"code" json:"code"`
	Slug            string     `bun:"slug" json:"slug"`
	TaskForceID     int64      `bun:"task_force_id" json:"-"`
	Title           string     `bun:"title" json:"title"`
	Summary         string     `bun:"summary" json:"-"`
	AcceptsRequests bool       `bun:"accepts_requests" json:"accepts_requests"`
	Office          string     `bun:"office" json:"-"`
	Responsible     string     `bun:"responsible" json:"-"`
	LegalBasis      []string   `bun:"legal_basis" json:"-"`
	Duration        string     `bun:"duration" json:"-"`
	Costs           string     `bun:"costs" json:"-"`
	Documents       []string   `bun:"documents" json:"-"`
	EntryID         int64      `bun:"entry_id,nullzero" json:"-"`
	UpdatedAt       time.Time  `bun:"updated_at" json:"-"`
	TaskForce       *TaskForce `bun:"rel:belongs-to,join:task_force_id=id" json:"-"`
}
