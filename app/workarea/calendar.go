package workarea

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"passhub/app/audit"
	"passhub/app/db"
	"passhub/app/workspace"
)

// Kinds of an area's event.
const (
	EventMeeting  = "meeting"
	EventTraining = "training" // with a capacity, registrations and attendance
)

// EventKinds are the kinds, in the order forms offer them.
var EventKinds = []string{EventMeeting, EventTraining}

// Rome is the time zone of the events' times, as people type and read them.
var Rome = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// Event is a meeting or a training session of an area.
type Event struct {
	bun.BaseModel `bun:"table:area_events"`

	ID          int64     `bun:"id,pk,autoincrement"`
	AreaID      int64     `bun:"area_id"`
	Kind        string    `bun:"kind"`
	Title       string    `bun:"title"`
	Description string    `bun:"description"`
	StartsAt    time.Time `bun:"starts_at"`
	EndsAt      time.Time `bun:"ends_at"`
	Place       string    `bun:"place"` // a place or a link
	Capacity    int       `bun:"capacity"`
	CreatedBy   int64     `bun:"created_by"`
	CreatedAt   time.Time `bun:"created_at"`

	Registered int `bun:"-"` // how many registered
}

// Training reports whether people register to the event.
func (e Event) Training() bool { return e.Kind == EventTraining }

// Full reports whether a training session has no seat left.
func (e Event) Full() bool { return e.Capacity > 0 && e.Registered >= e.Capacity }

// Starts and Ends are the event's times in Rome.
func (e Event) Starts() time.Time { return e.StartsAt.In(Rome) }

// Ends is the event's end in Rome.
func (e Event) Ends() time.Time { return e.EndsAt.In(Rome) }

// Registration is a person registered to a training session.
type Registration struct {
	bun.BaseModel `bun:"table:area_event_registrations"`

	EventID      int64     `bun:"event_id,pk"`
	UserID       int64     `bun:"user_id,pk"`
	RegisteredAt time.Time `bun:"registered_at"`
	Attended     bool      `bun:"attended"`

	Name string `bun:"-"`
}

type material struct {
	bun.BaseModel `bun:"table:area_event_materials"`

	EventID    int64 `bun:"event_id,pk"`
	DocumentID int64 `bun:"document_id,pk"`
}

// Errors of the calendar.
var (
	ErrNoEvent = errors.New("workarea: no such event")
	ErrFull    = errors.New("workarea: the training session is full")
)

// EventForm is an event as the coordinators' form sends it; times are "2006-01-02T15:04" in Rome.
type EventForm struct {
	Kind, Title, Description, Starts, Ends, Place, Capacity string
}

func (f EventForm) event() (*Event, FieldErrors) {
	errs := FieldErrors{}
	e := &Event{Kind: f.Kind, Title: strings.TrimSpace(f.Title), Description: strings.TrimSpace(f.Description), Place: strings.TrimSpace(f.Place)}
	if e.Kind != EventMeeting && e.Kind != EventTraining {
		errs["kind"] = "validation.choice"
	}
	switch {
	case e.Title == "":
		errs["title"] = "validation.required"
	case utf8.RuneCountInString(e.Title) > MaxTitle:
		errs["title"] = "workarea.error.long"
	}
	if utf8.RuneCountInString(e.Description) > MaxDesc {
		errs["description"] = "workarea.error.long"
	}
	if utf8.RuneCountInString(e.Place) > 500 {
		errs["place"] = "workarea.error.long"
	}
	start, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(f.Starts), Rome)
	if err != nil {
		errs["starts"] = "workarea.event.when"
	}
	end, err2 := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(f.Ends), Rome)
	switch {
	case err2 != nil:
		errs["ends"] = "workarea.event.when"
	case err == nil && !end.After(start):
		errs["ends"] = "workarea.event.order"
	}
	e.StartsAt, e.EndsAt = start.UTC(), end.UTC()
	if c := strings.TrimSpace(f.Capacity); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 || n > 10000 {
			errs["capacity"] = "workarea.event.capacity"
		}
		e.Capacity = n
	}
	if e.Kind != EventTraining {
		e.Capacity = 0
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return e, nil
}

// CreateEvent adds a meeting or a training session to an area's calendar.
func (s *Service) CreateEvent(ctx context.Context, who Actor, areaID int64, f EventForm) (*Event, error) {
	e, errs := f.event()
	if errs != nil {
		return nil, errs
	}
	e.AreaID, e.CreatedBy, e.CreatedAt = areaID, who.UserID, s.now()
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(e).Returning("id").Exec(ctx); err != nil {
			return db.Map(err)
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "area.event",
			ObjectType: "area", ObjectID: areaID, Detail: e.Title}); err != nil {
			return err
		}
		return s.Events.InTx(ctx, tx, Changed{AreaID: areaID, Kind: KindEvent, ObjectID: e.ID, ActorID: who.UserID})
	})
	if err != nil {
		return nil, fmt.Errorf("workarea: event: %w", err)
	}
	return e, nil
}

// Calendar returns an area's events, soonest first, with their registrations counted.
func (s *Service) Calendar(ctx context.Context, areaID int64) ([]Event, error) {
	var out []Event
	if err := s.db.NewSelect().Model(&out).Where("area_id = ?", areaID).Order("starts_at", "id").Limit(500).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	for i := range out {
		n, err := s.db.NewSelect().Model((*Registration)(nil)).Where("event_id = ?", out[i].ID).Count(ctx)
		if err != nil {
			return nil, db.Map(err)
		}
		out[i].Registered = int(n)
	}
	return out, nil
}

// Event returns an event of an area.
func (s *Service) Event(ctx context.Context, areaID, eventID int64) (*Event, error) {
	e := new(Event)
	if err := s.db.NewSelect().Model(e).Where("id = ?", eventID).Where("area_id = ?", areaID).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNoEvent
		}
		return nil, db.Map(err)
	}
	n, err := s.db.NewSelect().Model((*Registration)(nil)).Where("event_id = ?", e.ID).Count(ctx)
	e.Registered = int(n)
	return e, db.Map(err)
}

// Registrations returns the people registered to an event, by name.
func (s *Service) Registrations(ctx context.Context, eventID int64) ([]Registration, error) {
	var rows []struct {
		Registration
		FirstName  string `bun:"first_name"`
		FamilyName string `bun:"family_name"`
	}
	err := s.db.NewSelect().TableExpr("area_event_registrations AS r").ColumnExpr("r.*, u.name AS first_name, u.family_name").
		Join("JOIN users AS u ON u.id = r.user_id").Where("r.event_id = ?", eventID).OrderExpr("u.family_name, u.name").Scan(ctx, &rows)
	if err != nil {
		return nil, db.Map(err)
	}
	out := make([]Registration, len(rows))
	for i, r := range rows {
		out[i] = r.Registration
		out[i].Name = strings.TrimSpace(r.FirstName + " " + r.FamilyName)
	}
	return out, nil
}

// Register registers a person to a training session (on), or cancels their registration. A full
// session refuses new registrations; registering twice changes nothing.
func (s *Service) Register(ctx context.Context, who Actor, e *Event, on bool) error {
	if !e.Training() {
		return ErrNoEvent
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if !on {
			_, err := tx.NewDelete().Model((*Registration)(nil)).Where("event_id = ?", e.ID).Where("user_id = ?", who.UserID).Exec(ctx)
			return db.Map(err)
		}
		if s.db.Kind == db.Postgres { // the seats are counted one registration at a time
			if _, err := tx.ExecContext(ctx, "SELECT id FROM area_events WHERE id = ? FOR UPDATE", e.ID); err != nil {
				return db.Map(err)
			}
		}
		if n, err := tx.NewSelect().Model((*Registration)(nil)).Where("event_id = ?", e.ID).Where("user_id = ?", who.UserID).Count(ctx); err != nil || n > 0 {
			return db.Map(err)
		}
		if e.Capacity > 0 {
			n, err := tx.NewSelect().Model((*Registration)(nil)).Where("event_id = ?", e.ID).Count(ctx)
			if err != nil {
				return db.Map(err)
			}
			if int(n) >= e.Capacity {
				return ErrFull
			}
		}
		_, err := tx.NewInsert().Model(&Registration{EventID: e.ID, UserID: who.UserID, RegisteredAt: s.now()}).Exec(ctx)
		return db.Map(err)
	})
}

// MarkAttendance records who of the registered attended (the others did not).
func (s *Service) MarkAttendance(ctx context.Context, who Actor, e *Event, attended []int64) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model((*Registration)(nil)).Set("attended = ?", false).Where("event_id = ?", e.ID).Exec(ctx); err != nil {
			return db.Map(err)
		}
		if len(attended) > 0 {
			if _, err := tx.NewUpdate().Model((*Registration)(nil)).Set("attended = ?", true).Where("event_id = ?", e.ID).
				Where("user_id IN (?)", bun.In(attended)).Exec(ctx); err != nil {
				return db.Map(err)
			}
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "area.attendance",
			ObjectType: "area", ObjectID: e.AreaID, Detail: fmt.Sprintf("event=%d present=%d", e.ID, len(attended))})
	})
}

// AddMaterial links a document of the area's library to an event.
func (s *Service) AddMaterial(ctx context.Context, e *Event, documentID int64) error {
	sid, err := s.SpaceOf(ctx, e.AreaID)
	if err != nil {
		return err
	}
	n, err := s.db.NewSelect().Model((*workspace.Document)(nil)).Where("id = ?", documentID).Where("space_id = ?", sid).Count(ctx)
	if err != nil {
		return db.Map(err)
	}
	if n == 0 {
		return FieldErrors{"document": "validation.choice"}
	}
	_, err = s.db.NewInsert().Model(&material{EventID: e.ID, DocumentID: documentID}).On("CONFLICT DO NOTHING").Exec(ctx)
	return db.Map(err)
}

// Materials returns the library documents linked to an event, with their versions.
func (s *Service) Materials(ctx context.Context, eventID int64) ([]workspace.Document, error) {
	var out []workspace.Document
	err := s.db.NewSelect().Model(&out).Relation("Versions", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("number") }).
		Where("document.id IN (?)", s.db.NewSelect().Model((*material)(nil)).Column("document_id").Where("event_id = ?", eventID)).
		Order("document.name").Scan(ctx)
	return out, db.Map(err)
}
