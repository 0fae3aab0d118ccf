// Package crm is the Centro di Competenza's record of the comuni a province follows: the people
// to call, the log of interactions with their follow-ups, the agreements (convenzioni) with the
// services subscribed and the amounts due and paid, and a timeline that merges them with the
// comune's assistance requests and library downloads. Every row belongs to one province and one
// comune: the record a province sees is its own, and only while it follows the comune
// (app/territory); the access policy decides who opens it (access.ViewComuneRecord).
package crm

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Kinds of interaction.
const (
	KindCall    = "call"
	KindMeeting = "meeting"
	KindEmail   = "email"
	KindOther   = "other"
)

// Kinds lists the kinds of interaction in the order forms show them.
var Kinds = []string{KindCall, KindMeeting, KindEmail, KindOther}

// Contact is a person of the comune the province talks to.
type Contact struct {
	bun.BaseModel `bun:"table:crm_contacts,alias:contact"`

	ID         int64     `bun:"id,pk,autoincrement"`
	ProvinceID int64     `bun:"province_id"`
	ComuneID   int64     `bun:"comune_id"`
	Name       string    `bun:"name"`
	Role       string    `bun:"role"`
	Phone      string    `bun:"phone"`
	Email      string    `bun:"email"`
	PEC        string    `bun:"pec"`
	CreatedBy  int64     `bun:"created_by,nullzero"`
	CreatedAt  time.Time `bun:"created_at"`
}

// Interaction is a call, a meeting, an e-mail with the comune, with an optional follow-up.
type Interaction struct {
	bun.BaseModel `bun:"table:crm_interactions,alias:interaction"`

	ID             int64     `bun:"id,pk,autoincrement"`
	ProvinceID     int64     `bun:"province_id"`
	ComuneID       int64     `bun:"comune_id"`
	Kind           string    `bun:"kind"`
	HappenedOn     time.Time `bun:"happened_on"`
	Summary        string    `bun:"summary"`
	FollowUpOn     time.Time `bun:"follow_up_on,nullzero"`
	FollowUpDoneAt time.Time `bun:"follow_up_done_at,nullzero"`
	CreatedBy      int64     `bun:"created_by,nullzero"`
	CreatedByName  string    `bun:"created_by_name"`
	CreatedAt      time.Time `bun:"created_at"`

	ComuneName string `bun:"comune_name,scanonly"`
}

// OpenFollowUp reports whether the interaction has a follow-up not done yet.
func (i *Interaction) OpenFollowUp() bool { return !i.FollowUpOn.IsZero() && i.FollowUpDoneAt.IsZero() }

// Due reports whether the open follow-up falls on today or earlier.
func (i *Interaction) Due(today time.Time) bool {
	return i.OpenFollowUp() && !i.FollowUpOn.After(today)
}

// Agreement is a convention with the comune: its dates, the services subscribed and the amounts.
type Agreement struct {
	bun.BaseModel `bun:"table:crm_agreements,alias:agreement"`

	ID         int64     `bun:"id,pk,autoincrement"`
	ProvinceID int64     `bun:"province_id"`
	ComuneID   int64     `bun:"comune_id"`
	Title      string    `bun:"title"`
	StartsOn   time.Time `bun:"starts_on"`
	EndsOn     time.Time `bun:"ends_on,nullzero"`
	Services   string    `bun:"services"` // one service a line
	DueCents   int64     `bun:"due_cents"`
	PaidCents  int64     `bun:"paid_cents"`
	Notes      string    `bun:"notes"`
	CreatedBy  int64     `bun:"created_by,nullzero"`
	CreatedAt  time.Time `bun:"created_at"`
}

// ServiceList returns the services subscribed.
func (a *Agreement) ServiceList() []string { return splitServices(a.Services) }

// BalanceCents is what is still due.
func (a *Agreement) BalanceCents() int64 { return a.DueCents - a.PaidCents }

func splitServices(s string) []string {
	var out []string
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ';' }) {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// Download is one document of the library the comune downloaded.
type Download struct {
	Title, Version string
	At             time.Time
}

// Downloads tells the library downloads of an ente; the tender library provides it. A nil source
// leaves downloads out of the timeline.
type Downloads interface {
	DownloadsOf(ctx context.Context, enteID int64) ([]Download, error)
}

// Actor is who changes a record.
type Actor struct {
	UserID int64
	Name   string
	IP     string
}

// The amounts as the pages write them (1.234,56).
func (a *Agreement) DueText() string     { return Euros(a.DueCents) }
func (a *Agreement) PaidText() string    { return Euros(a.PaidCents) }
func (a *Agreement) BalanceText() string { return Euros(a.BalanceCents()) }
func (r *Record) DueText() string        { return Euros(r.DueCents) }
func (r *Record) PaidText() string       { return Euros(r.PaidCents) }
func (r *Record) BalanceText() string    { return Euros(r.BalanceCents()) }
func (s *Summary) DueText() string       { return Euros(s.DueCents) }
func (s *Summary) PaidText() string      { return Euros(s.PaidCents) }
func (s *Summary) BalanceText() string   { return Euros(s.BalanceCents()) }

// Changed is the event of a change of a record's row: a contact, an interaction or an agreement
// added, changed or removed (the search index follows it).
type Changed struct {
	Kind     string `json:"kind"` // "contact", "interaction" or "agreement"
	ID       int64  `json:"id"`
	ComuneID int64  `json:"comune_id"`
}

// EventName names the event and its job.
func (Changed) EventName() string { return "crm.changed" }
