package project

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/audit"
	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/event"
	"passhub/app/form"
	"passhub/app/funding"
)

// Changed tells that a sheet was written, published or withdrawn, or that an answer to its
// partner search was sent (Step "answered") or decided ("decided"): the search index and the
// notices follow it.
type Changed struct {
	Sheet  int64  `json:"sheet"`
	Answer int64  `json:"answer,omitempty"`
	Step   string `json:"step,omitempty"`
}

// EventName names the event and its job.
func (Changed) EventName() string { return "project.changed" }

// Steps of Changed.
const (
	StepAnswered = "answered"
	StepDecided  = "decided"
)

// Actor is who writes sheets and answers.
type Actor struct {
	UserID int64
	Name   string
	IP     string
}

// Notifier tells people of something on their bell, and by e-mail as their preferences say.
type Notifier interface {
	Notify(ctx context.Context, users []int64, kind, subject, url string) error
}

// Notification kinds (their preference topic is notify's "funding").
const (
	KindAnswer   = "funding.partner_answer"   // an ente answered the sheet's partner search
	KindDecision = "funding.partner_decision" // the sheet's ente accepted or declined an answer
)

// Service owns the project sheets and the answers to their partner searches.
type Service struct {
	db    *db.DB
	calls *funding.Service
	enti  *ente.Service
	clock atomic.Pointer[func() time.Time]
	// Events records the changes in their transactions; Notices tells people of answers and
	// decisions (Listen registers it).
	Events  *event.Dispatcher
	Notices Notifier
}

// NewService returns the project sheets' service over the calls and the enti registry.
func NewService(d *db.DB, calls *funding.Service, enti *ente.Service) *Service {
	s := &Service{db: d, calls: calls, enti: enti}
	now := time.Now
	s.clock.Store(&now)
	return s
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.clock.Store(&now) }

func (s *Service) now() time.Time { return (*s.clock.Load())() }

// Today is the date in Rome (YYYY-MM-DD).
func (s *Service) Today() string { return s.now().In(funding.Rome).Format(funding.DateLayout) }

// Invalid is a form refused: field → message id (form.Errors).
type Invalid = form.Errors

// Refused is a step refused for a reason the person can act on (message id).
type Refused string

func (r Refused) Error() string { return "project: " + string(r) }

// Form is a sheet as the ente's person types it.
type Form struct {
	Ente, Call                            string // ids
	Title, Summary, Budget, Stage, Topics string
	SeeksPartners                         bool
	PartnerProfile, PartnersUntil         string
	Provinces                             []string
}

// FormOf is the form that shows sh for editing.
func FormOf(sh *Sheet) Form {
	f := Form{Ente: strconv.FormatInt(sh.EnteID, 10), Call: strconv.FormatInt(sh.CallID, 10), Title: sh.Title, Summary: sh.Summary,
		Stage: sh.Stage, Topics: strings.Join(sh.Topics, ", "), SeeksPartners: sh.SeeksPartners, PartnerProfile: sh.PartnerProfile,
		PartnersUntil: sh.PartnersUntil, Provinces: sh.Sought()}
	if sh.Budget != nil {
		f.Budget = strconv.FormatInt(*sh.Budget, 10)
	}
	return f
}

// Limits of the fields.
const (
	MaxTitle   = 200
	MaxText    = 10000
	MaxTopics  = 10
	MaxMessage = 4000
)

// validate turns f into a sheet of the ente for the call (no id nor dates), or says what is wrong
// with each field (Invalid).
func (s *Service) validate(ctx context.Context, f Form) (*Sheet, error) {
	provinces, err := s.Provinces(ctx)
	if err != nil {
		return nil, err
	}
	bad := Invalid{}
	sh := &Sheet{Title: strings.Join(strings.Fields(f.Title), " "), Summary: strings.TrimSpace(f.Summary), Stage: f.Stage,
		SeeksPartners: f.SeeksPartners, PartnerProfile: strings.TrimSpace(f.PartnerProfile), PartnersUntil: strings.TrimSpace(f.PartnersUntil)}
	sh.EnteID, _ = strconv.ParseInt(f.Ente, 10, 64)
	callID, _ := strconv.ParseInt(f.Call, 10, 64)
	call, err := s.calls.Get(ctx, callID)
	switch {
	case errors.Is(err, db.ErrNotFound) || err == nil && !call.Published():
		bad["call"] = "project.error.call"
	case err != nil:
		return nil, err
	default:
		sh.CallID, sh.Call = call.ID, call
	}
	switch n := len([]rune(sh.Title)); {
	case n == 0:
		bad["title"] = "project.error.title"
	case n > MaxTitle:
		bad["title"] = "project.error.too_long"
	}
	switch {
	case sh.Summary == "":
		bad["summary"] = "project.error.summary"
	case len(sh.Summary) > MaxText:
		bad["summary"] = "project.error.too_long"
	}
	if b := strings.TrimSpace(f.Budget); b != "" {
		n, err := strconv.ParseInt(strings.NewReplacer(".", "", " ", "", "€", "").Replace(b), 10, 64)
		if err != nil || n < 0 {
			bad["budget"] = "project.error.budget"
		} else {
			sh.Budget = &n
		}
	}
	if sh.Stage == "" {
		sh.Stage = Preparing
	}
	if !contains(Stages, sh.Stage) {
		bad["stage"] = "project.error.stage"
	}
	sh.Topics = funding.SplitTopics(f.Topics)
	switch {
	case len(sh.Topics) == 0:
		bad["topics"] = "project.error.topics"
	case len(sh.Topics) > MaxTopics:
		bad["topics"] = "project.error.too_many_topics"
	}
	for _, t := range sh.Topics {
		if len([]rune(t)) > 80 {
			bad["topics"] = "project.error.too_long"
		}
	}
	var sought []string
	for _, p := range f.Provinces {
		if p = strings.TrimSpace(p); p == "" || contains(sought, p) {
			continue
		}
		if !contains(provinces, p) {
			bad["provinces"] = "project.error.province"
		}
		sought = append(sought, p)
	}
	sort.Strings(sought)
	sh.Provinces = strings.Join(sought, ",")
	if sh.SeeksPartners {
		switch {
		case sh.PartnerProfile == "":
			bad["partner_profile"] = "project.error.profile"
		case len(sh.PartnerProfile) > MaxText:
			bad["partner_profile"] = "project.error.too_long"
		}
		if sh.PartnersUntil != "" {
			d, err := time.Parse(funding.DateLayout, sh.PartnersUntil)
			switch {
			case err != nil || d.Year() < 2000 || d.Year() > 2100:
				bad["partners_until"] = "project.error.date"
			case sh.Call != nil && sh.Call.ClosesOn != "" && sh.PartnersUntil > sh.Call.ClosesOn:
				bad["partners_until"] = "project.error.after_call"
			}
		}
	} else {
		sh.PartnerProfile, sh.PartnersUntil, sh.Provinces = "", "", ""
	}
	if len(bad) > 0 {
		return nil, bad
	}
	return sh, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Provinces lists the province codes of the enti registry, the territory a search may look in.
func (s *Service) Provinces(ctx context.Context) ([]string, error) {
	var out []string
	err := s.db.NewSelect().TableExpr("enti").ColumnExpr("DISTINCT province").Where("province <> ''").Order("province").Scan(ctx, &out)
	return out, db.Map(err)
}

// Create writes a new sheet, unpublished, for f's ente: the caller has checked that who may
// write for it.
func (s *Service) Create(ctx context.Context, who Actor, f Form) (*Sheet, error) {
	sh, err := s.validate(ctx, f)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	sh.CreatedBy, sh.CreatedAt, sh.UpdatedAt = who.UserID, now, now
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(sh).Returning("id").Exec(ctx); err != nil {
			return db.Map(err)
		}
		if err := writeTopics(ctx, tx, sh); err != nil {
			return err
		}
		return s.record(ctx, tx, who, "project.create", sh, Changed{Sheet: sh.ID})
	})
	if err != nil {
		return nil, err
	}
	return sh, nil
}

// Update rewrites the sheet id from f (its ente and call stay).
func (s *Service) Update(ctx context.Context, who Actor, id int64, f Form) (*Sheet, error) {
	old, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	f.Ente = strconv.FormatInt(old.EnteID, 10)
	f.Call = strconv.FormatInt(old.CallID, 10)
	sh, err := s.validate(ctx, f)
	if err != nil {
		return nil, err
	}
	sh.ID, sh.PublishedAt, sh.CreatedBy, sh.CreatedAt, sh.UpdatedAt = old.ID, old.PublishedAt, old.CreatedBy, old.CreatedAt, s.now().UTC()
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model(sh).Column("title", "summary", "budget", "stage", "seeks_partners", "partner_profile",
			"partner_provinces", "partners_until", "updated_at").WherePK().Exec(ctx); err != nil {
			return db.Map(err)
		}
		if err := writeTopics(ctx, tx, sh); err != nil {
			return err
		}
		return s.record(ctx, tx, who, "project.update", sh, Changed{Sheet: sh.ID})
	})
	if err != nil {
		return nil, err
	}
	return sh, nil
}

func writeTopics(ctx context.Context, tx bun.Tx, sh *Sheet) error {
	if _, err := tx.NewDelete().Model((*Topic)(nil)).Where("project_id = ?", sh.ID).Exec(ctx); err != nil {
		return db.Map(err)
	}
	if len(sh.Topics) == 0 {
		return nil
	}
	rows := make([]Topic, len(sh.Topics))
	for i, t := range sh.Topics {
		rows[i] = Topic{ProjectID: sh.ID, Topic: t}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return db.Map(err)
}

// SetPublished publishes the sheet to the other enti, or withdraws it (its answers stay).
func (s *Service) SetPublished(ctx context.Context, who Actor, id int64, publish bool) error {
	sh, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if sh.Published() == publish {
		return nil
	}
	at, action := s.now().UTC(), "project.publish"
	if !publish {
		action = "project.unpublish"
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewUpdate().Model((*Sheet)(nil)).Set("updated_at = ?", at).Where("id = ?", id)
		if publish {
			q = q.Set("published_at = ?", at)
		} else {
			q = q.Set("published_at = NULL")
		}
		if _, err := q.Exec(ctx); err != nil {
			return db.Map(err)
		}
		return s.record(ctx, tx, who, action, sh, Changed{Sheet: id})
	})
}

func (s *Service) record(ctx context.Context, tx bun.Tx, who Actor, action string, sh *Sheet, ev Changed) error {
	if err := audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: action,
		ObjectType: "project_sheet", ObjectID: sh.ID, EnteID: sh.EnteID, Detail: sh.Title}); err != nil {
		return err
	}
	return s.Events.InTx(ctx, tx, ev)
}

// Get returns the sheet id with its topics, ente and call.
func (s *Service) Get(ctx context.Context, id int64) (*Sheet, error) {
	var sh Sheet
	if err := s.db.NewSelect().Model(&sh).Relation("Ente").Relation("Call").Where("sheet.id = ?", id).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	return &sh, s.fill(ctx, []*Sheet{&sh})
}

// fill loads the sheets' topics.
func (s *Service) fill(ctx context.Context, sheets []*Sheet) error {
	if len(sheets) == 0 {
		return nil
	}
	byID := make(map[int64]*Sheet, len(sheets))
	ids := make([]int64, len(sheets))
	for i, sh := range sheets {
		byID[sh.ID], ids[i] = sh, sh.ID
	}
	var topics []Topic
	if err := s.db.NewSelect().Model(&topics).Where("project_id IN (?)", bun.In(ids)).Order("project_id", "topic").Scan(ctx); err != nil {
		return db.Map(err)
	}
	for _, t := range topics {
		byID[t.ProjectID].Topics = append(byID[t.ProjectID].Topics, t.Topic)
	}
	return nil
}

// Filter narrows the list of published sheets.
type Filter struct {
	CallID   int64
	Topic    string
	Province string // of the ente that wrote it
	Seeking  bool   // open partner searches only
	Page     int    // from 1
}

// PageSize is how many sheets a page of the list shows.
const PageSize = 20

// List returns a page of the published sheets that f keeps, newest first, and how many there are.
func (s *Service) List(ctx context.Context, f Filter) ([]*Sheet, int, error) {
	var out []*Sheet
	q := s.db.NewSelect().Model(&out).Relation("Ente").Relation("Call").Where("sheet.published_at IS NOT NULL")
	if f.CallID != 0 {
		q = q.Where("sheet.call_id = ?", f.CallID)
	}
	if f.Topic != "" {
		q = q.Where("EXISTS (SELECT 1 FROM project_topics AS t WHERE t.project_id = sheet.id AND LOWER(t.topic) = LOWER(?))", f.Topic)
	}
	if f.Province != "" {
		q = q.Where("ente.province = ?", f.Province)
	}
	if f.Seeking {
		today := s.Today()
		q = q.Where("sheet.seeks_partners").
			Where("(sheet.partners_until = '' AND (call.closes_on = '' OR call.closes_on >= ?) OR sheet.partners_until >= ?)", today, today)
	}
	if f.Page < 1 {
		f.Page = 1
	}
	n, err := q.Order("sheet.published_at DESC", "sheet.id DESC").Limit(PageSize).Offset(int64(f.Page-1) * PageSize).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, db.Map(err)
	}
	return out, int(n), s.fill(ctx, out)
}

// OfEnti lists every sheet of the enti, drafts included, newest change first.
func (s *Service) OfEnti(ctx context.Context, enti []int64) ([]*Sheet, error) {
	if len(enti) == 0 {
		return nil, nil
	}
	var out []*Sheet
	if err := s.db.NewSelect().Model(&out).Relation("Ente").Relation("Call").Where("sheet.ente_id IN (?)", bun.In(enti)).
		Order("sheet.updated_at DESC", "sheet.id DESC").Limit(200).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	return out, s.fill(ctx, out)
}

// Topics lists the topics of the published sheets (the list's filter).
func (s *Service) Topics(ctx context.Context) ([]string, error) {
	var out []string
	err := s.db.NewSelect().TableExpr("project_topics AS t").ColumnExpr("DISTINCT t.topic").
		Join("JOIN project_sheets AS sheet ON sheet.id = t.project_id").Where("sheet.published_at IS NOT NULL").
		Order("t.topic").Limit(500).Scan(ctx, &out)
	return out, db.Map(err)
}

// PublishedIDs lists the published sheets' ids after after (the search index's rebuild).
func (s *Service) PublishedIDs(ctx context.Context, after int64, n int) ([]int64, error) {
	var ids []int64
	err := s.db.NewSelect().Model((*Sheet)(nil)).Column("id").Where("published_at IS NOT NULL").Where("id > ?", after).
		Order("id").Limit(int64(n)).Scan(ctx, &ids)
	return ids, db.Map(err)
}
