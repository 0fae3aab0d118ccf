// Package project is the Servizio Europa's project sheets (schede progetto) and partner search
// (ricerca partner): an ente describes the project it prepares for a call for funding, publishes
// it to the other enti, may say what partner it looks for, and the enti that answer are accepted
// or declined. Open searches are suggested to the enti whose interests (the topics of their own
// sheets and of their people's alerts) and territory match, and partners to the sheet's ente.
package project

import (
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/ente"
	"passhub/app/funding"
)

// Stages of a project, from its preparation to its end: they say what the enti's projects are
// (the "progettualità in corso" of the Servizio Europa).
const (
	Preparing = "preparing"  // being prepared for the call
	Submitted = "submitted"  // submitted to the managing authority
	Funded    = "funded"     // funded, under way
	NotFunded = "not_funded" // not funded
	Concluded = "concluded"  // carried out
)

// Stages lists them in their order.
var Stages = []string{Preparing, Submitted, Funded, NotFunded, Concluded}

// States of an answer to a partner search.
const (
	AnswerSent     = "sent"
	AnswerAccepted = "accepted"
	AnswerDeclined = "declined"
)

// Sheet is one project sheet: an ente's project for a call.
type Sheet struct {
	bun.BaseModel `bun:"table:project_sheets,alias:sheet"`

	ID             int64     `bun:"id,pk,autoincrement"`
	EnteID         int64     `bun:"ente_id"`
	CallID         int64     `bun:"call_id"`
	Title          string    `bun:"title"`
	Summary        string    `bun:"summary"`
	Budget         *int64    `bun:"budget"` // euros, the project's estimated cost
	Stage          string    `bun:"stage"`
	SeeksPartners  bool      `bun:"seeks_partners"`
	PartnerProfile string    `bun:"partner_profile"`   // what partner the ente looks for
	Provinces      string    `bun:"partner_provinces"` // the provinces sought ("CO,LC"), "" anywhere
	PartnersUntil  string    `bun:"partners_until"`    // YYYY-MM-DD, "" until the call's last deadline
	PublishedAt    time.Time `bun:"published_at,nullzero"`
	CreatedBy      int64     `bun:"created_by,nullzero"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`

	Topics []string      `bun:"-"`
	Ente   *ente.Ente    `bun:"rel:belongs-to,join:ente_id=id"`
	Call   *funding.Call `bun:"rel:belongs-to,join:call_id=id"`
}

// Published reports whether the other enti see the sheet.
func (s *Sheet) Published() bool { return !s.PublishedAt.IsZero() }

// Sought lists the provinces the sheet's partner search looks in (none: anywhere).
func (s *Sheet) Sought() []string {
	if s.Provinces == "" {
		return nil
	}
	return strings.Split(s.Provinces, ",")
}

// Seeks reports whether the sheet's partner search looks in province (true when it looks
// anywhere).
func (s *Sheet) Seeks(province string) bool {
	sought := s.Sought()
	return len(sought) == 0 || slices.Contains(sought, province)
}

// Until is the last day answers are taken: the day the sheet says, or the call's last deadline.
func (s *Sheet) Until() string {
	if s.PartnersUntil != "" || s.Call == nil {
		return s.PartnersUntil
	}
	return s.Call.ClosesOn
}

// UntilDay is Until as a date (zero when none), for the templates.
func (s *Sheet) UntilDay() time.Time {
	t, _ := time.Parse(funding.DateLayout, s.Until())
	return t
}

// SearchOpen reports whether the sheet takes answers on day (YYYY-MM-DD in Rome): it is
// published, looks for partners, and its last day has not passed.
func (s *Sheet) SearchOpen(day string) bool {
	until := s.Until()
	return s.Published() && s.SeeksPartners && (until == "" || day <= until)
}

// BudgetText is the budget with dots between thousands, "" when not said.
func (s *Sheet) BudgetText() string {
	if s.Budget == nil {
		return ""
	}
	return funding.Thousands(*s.Budget)
}

// Topic is one topic of a sheet.
type Topic struct {
	bun.BaseModel `bun:"table:project_topics"`

	ProjectID int64  `bun:"project_id,pk"`
	Topic     string `bun:"topic,pk"`
}

// Answer is an ente's answer to a partner search.
type Answer struct {
	bun.BaseModel `bun:"table:project_answers,alias:answer"`

	ID        int64     `bun:"id,pk,autoincrement"`
	ProjectID int64     `bun:"project_id"`
	EnteID    int64     `bun:"ente_id"`
	UserID    int64     `bun:"user_id,nullzero"`
	Author    string    `bun:"author"`
	Message   string    `bun:"message"`
	Status    string    `bun:"status"`
	Reply     string    `bun:"reply"`
	CreatedAt time.Time `bun:"created_at"`
	DecidedAt time.Time `bun:"decided_at,nullzero"`

	Ente *ente.Ente `bun:"rel:belongs-to,join:ente_id=id"`
}
