// Package helpdesk is the multichannel help desk: tickets opened from the reserved "Assistenza"
// page, the public contact form, e-mail and phone calls, answered by the operators from a queue
// with service levels counted in working hours, and rated by the requester at closing.
package helpdesk

import (
	"time"

	"github.com/uptrace/bun"

	"passhub/app/kb"
)

// Status of a ticket.
type Status string

// Statuses, in the order a ticket lives them. Waiting is the requester's turn: its time does not
// count toward the resolution's service level.
const (
	StatusNew      Status = "new"
	StatusOpen     Status = "open"
	StatusWaiting  Status = "waiting"
	StatusResolved Status = "resolved"
	StatusClosed   Status = "closed"
)

// Statuses lists the statuses in order.
var Statuses = []Status{StatusNew, StatusOpen, StatusWaiting, StatusResolved, StatusClosed}

// Active reports whether the ticket still needs the desk (new, open or waiting).
func (s Status) Active() bool { return s == StatusNew || s == StatusOpen || s == StatusWaiting }

// Channels a ticket arrives from.
const (
	ChannelWeb     = "web"     // the reserved "Assistenza" page
	ChannelContact = "contact" // the public contact form
	ChannelEmail   = "email"   // a mail to the desk's address
	ChannelPhone   = "phone"   // a call logged by an operator
)

// Priorities, lowest first.
const (
	PriorityLow    = "low"
	PriorityNormal = "normal"
	PriorityHigh   = "high"
	PriorityUrgent = "urgent"
)

// Priorities lists the priorities, lowest first.
var Priorities = []string{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Categories are what a ticket is about: the knowledge base's categories, so a ticket points to
// the articles of its subject and an article drafted from it keeps it.
var Categories = kb.CategoryValues()

// Ticket is one question to the help desk and its life.
type Ticket struct {
	bun.BaseModel `bun:"table:helpdesk_tickets"`

	ID int64 `bun:"id,pk,autoincrement"`
	// Token is unguessable: it makes the ticket's reply address and its rating link.
	Token    string `bun:"token"`
	Subject  string `bun:"subject"`
	Category string `bun:"category"`
	Priority string `bun:"priority"`
	Status   Status `bun:"status"`
	Channel  string `bun:"channel"`
	// The requester: a user when logged in (RequesterID), always a name and an e-mail address
	// (a phone call may have a phone number instead of the address).
	RequesterID    int64  `bun:"requester_id,nullzero"`
	RequesterName  string `bun:"requester_name"`
	RequesterEmail string `bun:"requester_email"`
	RequesterPhone string `bun:"requester_phone"`
	EnteID         int64  `bun:"ente_id,nullzero"`
	EnteName       string `bun:"ente_name"`
	AssigneeID     int64  `bun:"assignee_id,nullzero"`
	Lang           string `bun:"lang"`
	ContactID      int64  `bun:"contact_message_id,nullzero"`
	MergedInto     int64  `bun:"merged_into,nullzero"`
	// The service levels' due times, and when each was met.
	AnswerDue    time.Time `bun:"answer_due"`
	ResolveDue   time.Time `bun:"resolve_due"`
	AnsweredAt   time.Time `bun:"answered_at,nullzero"`
	WaitingSince time.Time `bun:"waiting_since,nullzero"`
	ResolvedAt   time.Time `bun:"resolved_at,nullzero"`
	ClosedAt     time.Time `bun:"closed_at,nullzero"`
	// The reminders sent before a due time, once each.
	RemindedAnswerAt  time.Time `bun:"reminded_answer_at,nullzero"`
	RemindedResolveAt time.Time `bun:"reminded_resolve_at,nullzero"`
	// The requester's rating at closing: 1 to 5, and a comment.
	Rating        int       `bun:"rating,nullzero"`
	RatingComment string    `bun:"rating_comment"`
	RatedAt       time.Time `bun:"rated_at,nullzero"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`

	// Assignee is the assigned operator's name, when loaded with the ticket.
	Assignee string `bun:"assignee,scanonly"`
}

// Message kinds.
const (
	KindPublic = "public" // seen by the requester: their messages and the operators' answers
	KindNote   = "note"   // an operator's internal note
	KindSystem = "system" // the desk's own line: a merge, a phone call logged, an automatic reply received
)

// Message is one entry of a ticket's thread.
type Message struct {
	bun.BaseModel `bun:"table:helpdesk_messages"`

	ID         int64  `bun:"id,pk,autoincrement"`
	TicketID   int64  `bun:"ticket_id"`
	Kind       string `bun:"kind"`
	AuthorID   int64  `bun:"author_id,nullzero"`
	AuthorName string `bun:"author_name"`
	// Operator is set for what the desk wrote.
	Operator bool   `bun:"from_desk"`
	Channel  string `bun:"channel"`
	Body     string `bun:"body"`
	// MailID is the Message-ID of the e-mail the message came in or went out with.
	MailID    string    `bun:"mail_id,nullzero"`
	MailedAt  time.Time `bun:"mailed_at,nullzero"`
	CreatedAt time.Time `bun:"created_at"`
	// Files are the files attached to the message, when loaded with the thread.
	Files []File `bun:"-"`
}

// Canned is a reply the operators keep ready.
type Canned struct {
	bun.BaseModel `bun:"table:helpdesk_canned"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Title     string    `bun:"title"`
	Body      string    `bun:"body"`
	UpdatedBy int64     `bun:"updated_by,nullzero"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// Level is where a ticket stands against one service level.
type Level struct {
	Due  time.Time
	Met  time.Time // zero while not met
	Left time.Duration
	// Late is set when the due time passed before the level was met.
	Late bool
}

// Levels returns the ticket's two service levels at now: the first answer and the resolution
// (whose clock stops while the ticket waits for the requester).
func (t *Ticket) Levels(c *Calendar, now time.Time) (answer, resolve Level) {
	level := func(due, met time.Time) Level {
		l := Level{Due: due, Met: met}
		at := now
		if !met.IsZero() {
			at = met
		}
		l.Late = at.After(due)
		if met.IsZero() && !l.Late {
			l.Left = c.Between(now, due)
		}
		return l
	}
	answer = level(t.AnswerDue, t.AnsweredAt)
	if !t.WaitingSince.IsZero() { // the clock is stopped: the due time moves as the wait goes on
		resolve = level(c.Add(t.ResolveDue, c.Between(t.WaitingSince, now)), t.ResolvedAt)
		return answer, resolve
	}
	return answer, level(t.ResolveDue, t.ResolvedAt)
}

// HoursLeft is the working hours left to the due time, rounded up.
func (l Level) HoursLeft() int { return int((l.Left + time.Hour - 1) / time.Hour) }

// Str is the status as text (templates compare and translate it).
func (s Status) Str() string { return string(s) }
