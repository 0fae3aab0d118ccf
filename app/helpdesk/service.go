package helpdesk

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"passhub/app/audit"
	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/form"
	"passhub/app/storage"
)

// Changed tells that a ticket was opened or changed: Step says how, Message names the thread's
// new entry when there is one. The queue's open pages, the mail and the notices follow it.
type Changed struct {
	Ticket  int64  `json:"ticket"`
	Message int64  `json:"message,omitempty"`
	Step    string `json:"step"`
	// Assigned is the operator someone else just assigned the ticket to.
	Assigned int64 `json:"assigned,omitempty"`
}

// EventName names the event and its job.
func (Changed) EventName() string { return "helpdesk.changed" }

// LiveTopic is the realtime topic of the operators' queue.
const LiveTopic = "helpdesk:1"

// Topics tell the queue's open pages.
func (Changed) Topics() []string { return []string{LiveTopic} }

// Steps of Changed.
const (
	StepOpened   = "opened"   // a new ticket
	StepAnswered = "answered" // an operator's public answer
	StepReplied  = "replied"  // the requester wrote again
	StepNoted    = "noted"    // an internal note
	StepUpdated  = "updated"  // category, priority, assignee or status changed
	StepResolved = "resolved" // marked resolved: the requester is asked for a rating
	StepMerged   = "merged"   // merged into another ticket
	StepRated    = "rated"    // the requester rated it, which closes it
)

// Actor is who acts on a ticket.
type Actor struct {
	UserID int64
	Name   string
	IP     string
}

// Invalid is a form refused: field → message id.
type Invalid = form.Errors

// Refused is a step refused for a reason the person can act on (message id).
type Refused string

func (r Refused) Error() string { return "helpdesk: " + string(r) }

// ErrNotFound is a ticket that does not exist.
var ErrNotFound = db.ErrNotFound

// Limits of the fields, in characters.
const (
	MaxSubject = 200
	MaxBody    = 20000
	MaxComment = 2000
	MaxName    = 200
)

// Service owns the tickets, their threads and the canned replies.
type Service struct {
	db    *db.DB
	cal   *Calendar
	clock atomic.Pointer[func() time.Time]
	// Events records the changes in their transactions.
	Events *event.Dispatcher
	// CloseAfter is how long a resolved ticket waits for its rating before it is closed.
	CloseAfter time.Duration
	// Address is the desk's e-mail address ("assistenza@…"): replies come back to it with the
	// ticket's token ("assistenza+token@…"); "" when the desk receives no mail.
	Address string
	// Files keeps the bytes of the files attached to messages; MaxFile is the largest one
	// (config.Config.UploadLimit, the limit of every upload).
	Files   storage.Store
	MaxFile int64
}

// NewService returns the help desk's service.
func NewService(d *db.DB) *Service {
	s := &Service{db: d, cal: NewCalendar(), CloseAfter: 7 * 24 * time.Hour}
	now := time.Now
	s.clock.Store(&now)
	return s
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.clock.Store(&now) }

// Now is the service's time.
func (s *Service) Now() time.Time { return (*s.clock.Load())().UTC() }

// Calendar is the working calendar the service levels are counted in.
func (s *Service) Calendar() *Calendar { return s.cal }

// Opening is a new ticket as it arrives from a channel.
type Opening struct {
	Channel            string
	Subject, Body      string
	Category, Priority string
	RequesterID        int64
	Name, Email, Phone string
	EnteID             int64
	EnteName           string
	Lang               string
	ContactID          int64
	MailID             string // the Message-ID of the mail that opened it
	LoggedBy           Actor  // the operator who logged a phone call
	AssignToLogger     bool   // the phone call's operator takes it
	// Files are attached to the first message, checked like every upload.
	Files []Upload
}

func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

func newToken() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// check validates an opening, saying what is wrong with each field.
func (o *Opening) check() Invalid {
	bad := Invalid{}
	o.Subject, o.Name, o.Email, o.Phone = clean(o.Subject), clean(o.Name), strings.TrimSpace(o.Email), clean(o.Phone)
	o.Body = strings.TrimSpace(strings.ReplaceAll(o.Body, "\r\n", "\n"))
	switch n := utf8.RuneCountInString(o.Subject); {
	case n == 0:
		bad["subject"] = "validation.required"
	case n < 3:
		bad["subject"] = "helpdesk.error.subject_short"
	case n > MaxSubject:
		bad["subject"] = "helpdesk.error.subject_long"
	}
	switch n := utf8.RuneCountInString(o.Body); {
	case n == 0:
		bad["body"] = "validation.required"
	case n > MaxBody:
		bad["body"] = "helpdesk.error.body_long"
	}
	if o.Category == "" {
		o.Category = "uso-piattaforma"
	}
	if !slices.Contains(Categories, o.Category) {
		bad["category"] = "helpdesk.error.category"
	}
	if o.Priority == "" {
		o.Priority = PriorityNormal
	}
	if !slices.Contains(Priorities, o.Priority) {
		bad["priority"] = "helpdesk.error.priority"
	}
	if o.Name == "" {
		bad["name"] = "validation.required"
	} else if utf8.RuneCountInString(o.Name) > MaxName {
		bad["name"] = "helpdesk.error.name_long"
	}
	switch {
	case o.Email != "" && !form.ValidEmail(o.Email):
		bad["email"] = "validation.email"
	case o.Email == "" && o.Channel == ChannelPhone && o.Phone == "":
		bad["email"] = "helpdesk.error.reach" // a phone call leaves an address or a number
	case o.Email == "" && o.Channel != ChannelPhone && o.RequesterID == 0:
		bad["email"] = "validation.required" // a logged-in person without an address reads the answers on the page
	}
	if len(o.Phone) > 40 {
		bad["phone"] = "helpdesk.error.phone"
	}
	if o.Lang != "en" {
		o.Lang = "it"
	}
	return bad
}

// Open stores a new ticket with its first message; nothing is stored when it returns an error.
// A ticket for a contact message or a mail already turned into one is returned as it is.
func (s *Service) Open(ctx context.Context, o Opening) (*Ticket, error) {
	if bad := o.check(); len(bad) > 0 {
		return nil, bad
	}
	if t, err := s.opened(ctx, o); t != nil || err != nil {
		return t, err
	}
	files, err := s.prepare(ctx, o.Files)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	target := Targets[o.Priority]
	t := &Ticket{Token: newToken(), Subject: o.Subject, Category: o.Category, Priority: o.Priority, Status: StatusNew,
		Channel: o.Channel, RequesterID: o.RequesterID, RequesterName: o.Name, RequesterEmail: strings.ToLower(o.Email),
		RequesterPhone: o.Phone, EnteID: o.EnteID, EnteName: clean(o.EnteName), Lang: o.Lang, ContactID: o.ContactID,
		AnswerDue: s.cal.Add(now, target.Answer), ResolveDue: s.cal.Add(now, target.Resolve), CreatedAt: now, UpdatedAt: now}
	if o.AssignToLogger {
		t.AssigneeID, t.Status = o.LoggedBy.UserID, StatusOpen
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(t).Returning("id").Exec(ctx); err != nil {
			return fmt.Errorf("helpdesk: open: %w", db.Map(err))
		}
		m := &Message{TicketID: t.ID, Kind: KindPublic, AuthorID: o.RequesterID, AuthorName: o.Name, Channel: o.Channel,
			Body: o.Body, MailID: o.MailID, CreatedAt: now}
		if _, err := tx.NewInsert().Model(m).Returning("id").Exec(ctx); err != nil {
			return fmt.Errorf("helpdesk: first message: %w", db.Map(err))
		}
		who := o.LoggedBy
		if who.UserID == 0 && who.Name == "" {
			who = Actor{UserID: o.RequesterID, Name: o.Name}
		}
		if err := s.attach(ctx, tx, who, t, m, files); err != nil {
			return err
		}
		if o.Channel == ChannelPhone {
			line := &Message{TicketID: t.ID, Kind: KindSystem, AuthorID: o.LoggedBy.UserID, AuthorName: o.LoggedBy.Name,
				Operator: true, Channel: ChannelPhone, Body: "helpdesk.system.phone", CreatedAt: now}
			if _, err := tx.NewInsert().Model(line).Exec(ctx); err != nil {
				return db.Map(err)
			}
		}
		return s.record(ctx, tx, o.LoggedBy, "helpdesk.open", t, Changed{Ticket: t.ID, Message: m.ID, Step: StepOpened})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// opened returns the ticket already made from o's contact message or mail, if any.
func (s *Service) opened(ctx context.Context, o Opening) (*Ticket, error) {
	var id int64
	var err error
	switch {
	case o.ContactID != 0:
		err = s.db.NewSelect().Model((*Ticket)(nil)).Column("id").Where("contact_message_id = ?", o.ContactID).Scan(ctx, &id)
	case o.MailID != "":
		err = s.db.NewSelect().Model((*Message)(nil)).Column("ticket_id").Where("mail_id = ?", o.MailID).Scan(ctx, &id)
	default:
		return nil, nil
	}
	if errors.Is(db.Map(err), db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, db.Map(err)
	}
	return s.Get(ctx, id)
}

func (s *Service) record(ctx context.Context, tx bun.Tx, who Actor, action string, t *Ticket, ev Changed) error {
	if who.UserID != 0 || who.Name != "" {
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: action,
			ObjectType: "ticket", ObjectID: t.ID, EnteID: t.EnteID, Detail: t.Subject}); err != nil {
			return err
		}
	}
	return s.Events.InTx(ctx, tx, ev)
}

// Get returns a ticket with its assignee's name.
func (s *Service) Get(ctx context.Context, id int64) (*Ticket, error) {
	t := new(Ticket)
	err := s.selectTickets(t).Where("t.id = ?", id).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("helpdesk: ticket %d: %w", id, db.Map(err))
	}
	return t, nil
}

// ByToken returns the ticket of a reply address or rating link.
func (s *Service) ByToken(ctx context.Context, token string) (*Ticket, error) {
	if token == "" || len(token) > 40 {
		return nil, ErrNotFound
	}
	t := new(Ticket)
	if err := s.selectTickets(t).Where("t.token = ?", strings.ToLower(token)).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	return t, nil
}

func (s *Service) selectTickets(model any) *bun.SelectQuery {
	return s.db.NewSelect().Model(model).ModelTableExpr("helpdesk_tickets AS t").ColumnExpr("t.*").
		ColumnExpr("COALESCE(u.name || ' ' || u.family_name, '') AS assignee").
		Join("LEFT JOIN users AS u ON u.id = t.assignee_id")
}

// Thread returns a ticket's messages, oldest first; internal notes only with notes.
func (s *Service) Thread(ctx context.Context, ticketID int64, notes bool) ([]Message, error) {
	var out []Message
	q := s.db.NewSelect().Model(&out).Where("ticket_id = ?", ticketID).Order("id")
	if !notes {
		q = q.Where("kind = ?", KindPublic)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("helpdesk: thread %d: %w", ticketID, db.Map(err))
	}
	if err := s.withFiles(ctx, ticketID, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Message returns one message of the thread.
func (s *Service) Message(ctx context.Context, id int64) (*Message, error) {
	m := new(Message)
	if err := s.db.NewSelect().Model(m).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	return m, nil
}

// checkBody trims a message and refuses an empty or too long one.
func checkBody(body string) (string, error) {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		return "", Invalid{"body": "validation.required"}
	case n > MaxBody:
		return "", Invalid{"body": "helpdesk.error.body_long"}
	}
	return body, nil
}

// Answer is an operator's public answer; then is the status the ticket moves to: open (the desk
// goes on working), waiting (for the requester) or resolved.
func (s *Service) Answer(ctx context.Context, who Actor, ticketID int64, body string, then Status, attached ...Upload) (*Message, error) {
	body, err := checkBody(body)
	if err != nil {
		return nil, err
	}
	if then != StatusOpen && then != StatusWaiting && then != StatusResolved {
		return nil, Invalid{"then": "helpdesk.error.status"}
	}
	files, err := s.prepare(ctx, attached)
	if err != nil {
		return nil, err
	}
	var m *Message
	err = s.change(ctx, ticketID, func(ctx context.Context, tx bun.Tx, t *Ticket, now time.Time) (Changed, error) {
		if t.MergedInto != 0 {
			return Changed{}, Refused("helpdesk.error.merged")
		}
		if t.Status == StatusClosed {
			return Changed{}, Refused("helpdesk.error.closed_desk")
		}
		m = &Message{TicketID: t.ID, Kind: KindPublic, AuthorID: who.UserID, AuthorName: who.Name, Operator: true,
			Channel: ChannelWeb, Body: body, CreatedAt: now}
		if _, err := tx.NewInsert().Model(m).Returning("id").Exec(ctx); err != nil {
			return Changed{}, db.Map(err)
		}
		if err := s.attach(ctx, tx, who, t, m, files); err != nil {
			return Changed{}, err
		}
		if t.AnsweredAt.IsZero() {
			t.AnsweredAt = now
		}
		if t.AssigneeID == 0 {
			t.AssigneeID = who.UserID // who answers first takes the ticket
		}
		step := StepAnswered
		if then == StatusResolved && t.Status != StatusResolved {
			step = StepResolved
		}
		s.moveTo(t, then, now)
		return Changed{Ticket: t.ID, Message: m.ID, Step: step}, s.audit(ctx, tx, who, "helpdesk.answer", t)
	})
	return m, err
}

// moveTo changes t's status at now, stopping the resolution's clock while it waits and
// restarting it (the due time moved by the wait) when it leaves.
func (s *Service) moveTo(t *Ticket, to Status, now time.Time) {
	if t.Status == StatusWaiting && to != StatusWaiting && !t.WaitingSince.IsZero() {
		t.ResolveDue = s.cal.Add(t.ResolveDue, s.cal.Between(t.WaitingSince, now))
		t.WaitingSince = time.Time{}
	}
	if to == StatusWaiting && t.Status != StatusWaiting {
		t.WaitingSince = now
	}
	switch to {
	case StatusResolved:
		if t.ResolvedAt.IsZero() {
			t.ResolvedAt = now
		}
	case StatusClosed:
		if t.ClosedAt.IsZero() {
			t.ClosedAt = now
		}
	default:
		t.ResolvedAt, t.ClosedAt = time.Time{}, time.Time{}
	}
	t.Status = to
}

func (s *Service) audit(ctx context.Context, tx bun.Tx, who Actor, action string, t *Ticket) error {
	return audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: action,
		ObjectType: "ticket", ObjectID: t.ID, EnteID: t.EnteID, Detail: t.Subject})
}

// change runs fn on the ticket locked for update inside a transaction, then stores the ticket
// and records fn's event.
func (s *Service) change(ctx context.Context, ticketID int64, fn func(ctx context.Context, tx bun.Tx, t *Ticket, now time.Time) (Changed, error)) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		t := new(Ticket)
		q := tx.NewSelect().Model(t).Where("id = ?", ticketID)
		if s.db.Kind == db.Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			return fmt.Errorf("helpdesk: ticket %d: %w", ticketID, db.Map(err))
		}
		now := s.Now()
		ev, err := fn(ctx, tx, t, now)
		if err != nil {
			return err
		}
		t.UpdatedAt = now
		if _, err := tx.NewUpdate().Model(t).WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("helpdesk: ticket %d: %w", ticketID, db.Map(err))
		}
		return s.Events.InTx(ctx, tx, ev)
	})
}

// Reply is the requester's new message (from the reserved page or by e-mail, mailID then its
// Message-ID): it reopens a ticket that was waiting or resolved. A closed ticket is refused
// (the caller opens a new one).
func (s *Service) Reply(ctx context.Context, who Actor, ticketID int64, body, channel, mailID string, attached ...Upload) (*Message, error) {
	body, err := checkBody(body)
	if err != nil {
		return nil, err
	}
	files, err := s.prepare(ctx, attached)
	if err != nil {
		return nil, err
	}
	var m *Message
	err = s.change(ctx, ticketID, func(ctx context.Context, tx bun.Tx, t *Ticket, now time.Time) (Changed, error) {
		if t.Status == StatusClosed || t.MergedInto != 0 {
			return Changed{}, Refused("helpdesk.error.closed")
		}
		m = &Message{TicketID: t.ID, Kind: KindPublic, AuthorID: who.UserID, AuthorName: who.Name, Channel: channel,
			Body: body, MailID: mailID, CreatedAt: now}
		if _, err := tx.NewInsert().Model(m).Returning("id").Exec(ctx); err != nil {
			return Changed{}, db.Map(err)
		}
		if err := s.attach(ctx, tx, who, t, m, files); err != nil {
			return Changed{}, err
		}
		if t.Status != StatusNew {
			s.moveTo(t, StatusOpen, now)
		}
		return Changed{Ticket: t.ID, Message: m.ID, Step: StepReplied}, nil
	})
	return m, err
}

// Note adds an operator's internal note, never shown to the requester.
func (s *Service) Note(ctx context.Context, who Actor, ticketID int64, body string, attached ...Upload) (*Message, error) {
	body, err := checkBody(body)
	if err != nil {
		return nil, err
	}
	files, err := s.prepare(ctx, attached)
	if err != nil {
		return nil, err
	}
	var m *Message
	err = s.change(ctx, ticketID, func(ctx context.Context, tx bun.Tx, t *Ticket, now time.Time) (Changed, error) {
		m = &Message{TicketID: t.ID, Kind: KindNote, AuthorID: who.UserID, AuthorName: who.Name, Operator: true,
			Channel: ChannelWeb, Body: body, CreatedAt: now}
		if _, err := tx.NewInsert().Model(m).Returning("id").Exec(ctx); err != nil {
			return Changed{}, db.Map(err)
		}
		if err := s.attach(ctx, tx, who, t, m, files); err != nil {
			return Changed{}, err
		}
		return Changed{Ticket: t.ID, Message: m.ID, Step: StepNoted}, nil
	})
	return m, err
}

// System adds the desk's own line to a ticket (an automatic reply received): body is a message id.
func (s *Service) System(ctx context.Context, ticketID int64, body, mailID string) error {
	return s.change(ctx, ticketID, func(ctx context.Context, tx bun.Tx, t *Ticket, now time.Time) (Changed, error) {
		m := &Message{TicketID: t.ID, Kind: KindSystem, AuthorName: "PAsS", Channel: ChannelEmail, Body: body, MailID: mailID, CreatedAt: now}
		if _, err := tx.NewInsert().Model(m).Returning("id").Exec(ctx); err != nil {
			return Changed{}, db.Map(err)
		}
		return Changed{Ticket: t.ID, Message: m.ID, Step: StepNoted}, nil
	})
}

// Changes are an operator's settings of a ticket; empty fields stay as they are.
type Changes struct {
	Category, Priority string
	Status             Status
	// Assignee is the operator to assign ("" unchanged, "0" nobody).
	Assignee   string
	AssigneeID int64
}

// Update applies an operator's changes. A new priority moves the due times not yet met, counted
// from the ticket's opening.
func (s *Service) Update(ctx context.Context, who Actor, ticketID int64, ch Changes, operators []int64) error {
	bad := Invalid{}
	if ch.Category != "" && !slices.Contains(Categories, ch.Category) {
		bad["category"] = "helpdesk.error.category"
	}
	if ch.Priority != "" && !slices.Contains(Priorities, ch.Priority) {
		bad["priority"] = "helpdesk.error.priority"
	}
	if ch.Status != "" && !slices.Contains(Statuses, ch.Status) {
		bad["status"] = "helpdesk.error.status"
	}
	if ch.Assignee != "" && ch.AssigneeID != 0 && !slices.Contains(operators, ch.AssigneeID) {
		bad["assignee"] = "helpdesk.error.assignee"
	}
	if len(bad) > 0 {
		return bad
	}
	return s.change(ctx, ticketID, func(ctx context.Context, tx bun.Tx, t *Ticket, now time.Time) (Changed, error) {
		if t.MergedInto != 0 {
			return Changed{}, Refused("helpdesk.error.merged")
		}
		step := StepUpdated
		if ch.Category != "" {
			t.Category = ch.Category
		}
		if ch.Priority != "" && ch.Priority != t.Priority {
			t.Priority = ch.Priority
			target := Targets[t.Priority]
			if t.AnsweredAt.IsZero() {
				t.AnswerDue = s.cal.Add(t.CreatedAt, target.Answer)
			}
			if t.ResolvedAt.IsZero() {
				t.ResolveDue = s.cal.Add(t.CreatedAt, target.Resolve)
			}
			t.RemindedAnswerAt, t.RemindedResolveAt = time.Time{}, time.Time{}
		}
		var assigned int64
		if ch.Assignee != "" && ch.AssigneeID != t.AssigneeID {
			t.AssigneeID = ch.AssigneeID
			if ch.AssigneeID != who.UserID {
				assigned = ch.AssigneeID
			}
		}
		if ch.Status != "" && ch.Status != t.Status {
			if ch.Status == StatusResolved {
				step = StepResolved
			}
			s.moveTo(t, ch.Status, now)
		}
		if t.Status == StatusNew && t.AssigneeID != 0 {
			t.Status = StatusOpen
		}
		return Changed{Ticket: t.ID, Step: step, Assigned: assigned}, s.audit(ctx, tx, who, "helpdesk.update", t)
	})
}

// Merge moves a duplicate's thread into another ticket of the same requester and closes it;
// tickets of different people are never merged (each would see the other's messages).
func (s *Service) Merge(ctx context.Context, who Actor, fromID, intoID int64) error {
	if fromID == intoID {
		return Invalid{"into": "helpdesk.error.merge_self"}
	}
	into, err := s.Get(ctx, intoID)
	if errors.Is(err, db.ErrNotFound) {
		return Invalid{"into": "helpdesk.error.merge_unknown"}
	}
	if err != nil {
		return err
	}
	if into.MergedInto != 0 || into.Status == StatusClosed {
		return Invalid{"into": "helpdesk.error.merge_closed"}
	}
	return s.change(ctx, fromID, func(ctx context.Context, tx bun.Tx, t *Ticket, now time.Time) (Changed, error) {
		if t.MergedInto != 0 {
			return Changed{}, Refused("helpdesk.error.merged")
		}
		if !samePerson(t, into) {
			return Changed{}, Invalid{"into": "helpdesk.error.merge_person"}
		}
		if _, err := tx.NewUpdate().Model((*Message)(nil)).Set("ticket_id = ?", into.ID).Where("ticket_id = ?", t.ID).Exec(ctx); err != nil {
			return Changed{}, db.Map(err)
		}
		// the files go with their messages: reachable from the surviving ticket only
		if _, err := tx.NewUpdate().Model((*File)(nil)).Set("ticket_id = ?", into.ID).Where("ticket_id = ?", t.ID).Exec(ctx); err != nil {
			return Changed{}, db.Map(err)
		}
		line := &Message{TicketID: into.ID, Kind: KindSystem, AuthorID: who.UserID, AuthorName: who.Name, Operator: true,
			Channel: ChannelWeb, Body: fmt.Sprintf("helpdesk.system.merged:%d", t.ID), CreatedAt: now}
		if _, err := tx.NewInsert().Model(line).Exec(ctx); err != nil {
			return Changed{}, db.Map(err)
		}
		t.MergedInto = into.ID
		s.moveTo(t, StatusClosed, now)
		if _, err := tx.NewUpdate().Model((*Ticket)(nil)).Set("updated_at = ?", now).Where("id = ?", into.ID).Exec(ctx); err != nil {
			return Changed{}, db.Map(err)
		}
		return Changed{Ticket: t.ID, Step: StepMerged}, s.audit(ctx, tx, who, "helpdesk.merge", t)
	})
}

func samePerson(a, b *Ticket) bool {
	if a.RequesterID != 0 || b.RequesterID != 0 {
		return a.RequesterID == b.RequesterID
	}
	return a.RequesterEmail != "" && strings.EqualFold(a.RequesterEmail, b.RequesterEmail)
}

// Rate records the requester's rating (1 to 5) and comment of a resolved ticket, which closes it.
// A ticket rated once keeps its rating.
func (s *Service) Rate(ctx context.Context, ticketID int64, rating int, comment string) error {
	comment = strings.TrimSpace(comment)
	bad := Invalid{}
	if rating < 1 || rating > 5 {
		bad["rating"] = "helpdesk.error.rating"
	}
	if utf8.RuneCountInString(comment) > MaxComment {
		bad["comment"] = "helpdesk.error.comment_long"
	}
	if len(bad) > 0 {
		return bad
	}
	return s.change(ctx, ticketID, func(ctx context.Context, tx bun.Tx, t *Ticket, now time.Time) (Changed, error) {
		if !t.RatedAt.IsZero() {
			return Changed{}, Refused("helpdesk.error.rated")
		}
		if t.Status != StatusResolved && t.Status != StatusClosed || t.MergedInto != 0 {
			return Changed{}, Refused("helpdesk.error.not_resolved")
		}
		t.Rating, t.RatingComment, t.RatedAt = rating, comment, now
		s.moveTo(t, StatusClosed, now)
		return Changed{Ticket: t.ID, Step: StepRated}, nil
	})
}
