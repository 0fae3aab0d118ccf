// Package monitor writes the monitoring reports: each semester, a draft entry of type report in
// the newsroom with the period's figures, for the editors to complete and publish.
//
// The draft is written through the content service's own save (content.SaveDraftWith): the same
// rules, audit entry (content.save) and events as an editor's new entry, with a system author.
// In the same transaction it records ReportDrafted, whose listener tells the publishers. A
// semester whose report exists (under its slug, or a slug it was renamed from) is left alone,
// whatever state the editors brought it to.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/stats"
)

// Author is the system actor that writes the drafts: the revision's author in the newsroom's
// history and the actor of its audit entry.
const Author = "Monitoraggio automatico"

// Service writes the semesters' reports.
type Service struct {
	Stats   *stats.Service
	Content *content.Service
	Events  *event.Dispatcher
	// TaskForce names a task force by its code; State names a request state in Italian. Either
	// may be nil (codes are written as they are).
	TaskForce func(ctx context.Context, code string) string
	State     func(state string) string
	// Procedures lists the catalogue's procedures for the attached dataset (nil: only those the
	// figures name, by number).
	Procedures func(ctx context.Context) ([]Procedure, error)
	now        func() time.Time
}

// NewService returns the reports' writer over the figures and the newsroom.
func NewService(st *stats.Service, c *content.Service) *Service {
	return &Service{Stats: st, Content: c, now: time.Now}
}

// SetClock replaces the service's clock (which semester has ended, the draft's date).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Result is what Generate did.
type Result struct {
	Semester Semester
	Created  bool // false: the report existed and was left alone
	Type     content.Type
	Slug     string // the entry's slug now
	State    string // the state of its latest revision
}

// DeskURL is the report's page in the newsroom.
func (r Result) DeskURL() string { return content.DeskURL(r.Type, r.Slug) }

// Generate writes the draft report of sem, unless its entry exists: then it changes nothing and
// says so (Created false). A semester that has not ended is refused (ErrNotOver).
func (s *Service) Generate(ctx context.Context, sem Semester) (Result, error) {
	res := Result{Semester: sem, Type: content.TypeReport, Slug: sem.Slug()}
	if sem.Half != 1 && sem.Half != 2 {
		return res, ErrSemester
	}
	now := s.now()
	if now.Before(sem.End()) {
		return res, fmt.Errorf("%w: %s ends on %s", ErrNotOver, sem, sem.End().Format("2006-01-02"))
	}
	if ok, err := s.existing(ctx, &res); ok || err != nil {
		return res, err
	}
	from, to := sem.Months()
	f, err := s.Stats.Figures(ctx, stats.Filter{From: from, To: to})
	if err != nil {
		return res, err
	}
	rep := Report{Semester: sem, Figures: f, Generated: now, State: s.State}
	if rep.InChargeStart, err = s.charged(ctx, stats.Filter{To: sem.Start().AddDate(0, -1, 0).Format("2006-01")}); err != nil {
		return res, err
	}
	if rep.InChargeEnd, err = s.charged(ctx, stats.Filter{To: to}); err != nil {
		return res, err
	}
	if s.TaskForce != nil {
		rep.TaskForce = func(code string) string { return s.TaskForce(ctx, code) }
	}
	data, err := s.dataset(ctx, sem, f)
	if err != nil {
		return res, err
	}
	d := content.Draft{Type: content.TypeReport, Slug: sem.Slug(), Body: rep.Body(), Fields: map[string]string{
		"title":   sem.Title(),
		"summary": rep.Summary(),
		"date":    now.In(rome).Format("2006-01-02"),
	}, Files: []content.NewFile{{Name: sem.DatasetName(), Title: sem.DatasetTitle(), Data: data}}}
	_, rev, err := s.Content.SaveDraftWith(ctx, content.Actor{Name: Author}, d, func(ctx context.Context, tx bun.Tx, e *content.Entry, r *content.Revision) error {
		return s.Events.InTx(ctx, tx, ReportDrafted{Step: content.Step{EntryID: e.ID, RevisionID: r.ID, Type: e.Type, Slug: e.Slug},
			Semester: sem.String()})
	})
	if errors.Is(err, content.ErrSlugTaken) || errors.Is(err, db.ErrConflict) { // written meanwhile by another run
		if found, ferr := s.existing(ctx, &res); found || ferr != nil {
			return res, ferr
		}
		return res, err
	}
	if err != nil {
		return res, err
	}
	res.Created, res.State = true, rev.State
	return res, nil
}

// existing fills res and reports true when the semester's report exists, under its slug or a
// slug it was renamed to.
func (s *Service) existing(ctx context.Context, res *Result) (bool, error) {
	slug := res.Semester.Slug()
	if to, err := s.Content.Redirect(ctx, content.TypeReport, slug); err == nil {
		slug = to
	} else if !errors.Is(err, db.ErrNotFound) {
		return false, err
	}
	w, err := s.Content.Work(ctx, content.TypeReport, slug)
	if errors.Is(err, db.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	res.Slug, res.State = w.Entry.Slug, w.Head.State
	return true, nil
}

// Due writes the report of the last semester that ended before now, when it does not exist:
// what the daily job does.
func (s *Service) Due(ctx context.Context) (Result, error) {
	return s.Generate(ctx, Previous(s.now()))
}
