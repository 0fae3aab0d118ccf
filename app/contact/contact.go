// Package contact owns the "Contattaci" form: messages from anyone to the platform's staff,
// validated, rate limited and stored.
package contact

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/form"
	"passhub/app/once"
)

// Message is one message sent through the contact form.
type Message struct {
	bun.BaseModel `bun:"table:contact_messages"`

	ID         int64     `bun:"id,pk,autoincrement"`
	Name       string    `bun:"name"`
	Email      string    `bun:"email"`
	Ente       string    `bun:"ente"`
	Subject    string    `bun:"subject"`
	Message    string    `bun:"message"`
	Lang       string    `bun:"lang"`
	RemoteAddr string    `bun:"remote_addr"`
	CreatedAt  time.Time `bun:"created_at"`
	// StaffMailedAt and AckMailedAt record the deliveries done: to the staff and the visitor's
	// acknowledgment, so a retried delivery sends neither twice.
	StaffMailedAt time.Time `bun:"staff_mailed_at,nullzero"`
	AckMailedAt   time.Time `bun:"ack_mailed_at,nullzero"`
}

// Form is what a visitor types.
type Form struct {
	Name, Email, Ente, Subject, Message string
	// Website is the honeypot: hidden from people, filled by bots.
	Website string
}

// FieldError is a problem with one field: a message id and its parameters.
type FieldError struct {
	ID   string
	Args []any
}

// ValidationError lists the fields that are wrong.
type ValidationError struct{ Fields map[string]FieldError }

func (e *ValidationError) Error() string {
	return fmt.Sprintf("contact: %d invalid fields", len(e.Fields))
}

// ErrSpam is returned when the honeypot is filled.
var ErrSpam = errors.New("contact: rejected as automated")

// Limits of each field, in characters.
var limits = map[string][2]int{"name": {2, 120}, "email": {3, 254}, "ente": {0, 200}, "subject": {3, 200}, "message": {10, 5000}}

// Validate returns a ValidationError naming every wrong field, or nil.
func (f *Form) Validate() error {
	fields := map[string]FieldError{}
	check := func(name, v string) {
		n := utf8.RuneCountInString(v)
		lim := limits[name]
		switch {
		case n == 0 && lim[0] > 0:
			fields[name] = FieldError{ID: "validation.required"}
		case n > lim[1]:
			fields[name] = FieldError{ID: "validation.too_long", Args: []any{"Max", lim[1]}}
		case n > 0 && n < lim[0]:
			fields[name] = FieldError{ID: "validation.too_short", Args: []any{"Min", lim[0]}}
		}
	}
	check("name", f.Name)
	check("email", f.Email)
	check("ente", f.Ente)
	check("subject", f.Subject)
	check("message", f.Message)
	if _, bad := fields["email"]; !bad && f.Email != "" {
		if !form.ValidEmail(f.Email) {
			fields["email"] = FieldError{ID: "validation.email"}
		}
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

// Normalize trims the fields.
func (f *Form) Normalize() {
	for _, p := range []*string{&f.Name, &f.Email, &f.Ente, &f.Subject} {
		*p = strings.Join(strings.Fields(*p), " ")
	}
	f.Message = strings.TrimSpace(strings.ReplaceAll(f.Message, "\r\n", "\n"))
}

// Service stores valid messages and has them delivered.
type Service struct {
	db *db.DB
	// Events records, inside the transaction that stores a message, that it was received: its
	// listeners e-mail it to the staff and acknowledge it to the visitor.
	Events *event.Dispatcher
}

// NewService returns the contact service.
func NewService(d *db.DB) *Service { return &Service{db: d} }

// Send validates f and stores it; nothing is stored when it returns an error.
func (s *Service) Send(ctx context.Context, f Form, lang, remoteAddr string) (*Message, error) {
	f.Normalize()
	if strings.TrimSpace(f.Website) != "" {
		return nil, ErrSpam
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	m := &Message{Name: f.Name, Email: f.Email, Ente: f.Ente, Subject: f.Subject, Message: f.Message,
		Lang: lang, RemoteAddr: remoteAddr, CreatedAt: time.Now().UTC()}
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := once.Claim(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(m).Returning("id").Exec(ctx); err != nil {
			return fmt.Errorf("contact: store: %w", db.Map(err))
		}
		return s.Events.InTx(ctx, tx, MessageReceived{MessageID: m.ID})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Message returns one stored message.
func (s *Service) Message(ctx context.Context, id int64) (*Message, error) {
	m := new(Message)
	if err := s.db.NewSelect().Model(m).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("contact: message %d: %w", id, db.Map(err))
	}
	return m, nil
}

// PageSize is how many messages a page of the staff's list shows.
const PageSize = 20

// Page returns page (from 1) of the messages, newest first, and how many there are.
func (s *Service) Page(ctx context.Context, page int) ([]Message, int, error) {
	var out []Message
	n, err := s.db.NewSelect().Model(&out).Order("created_at DESC", "id DESC").
		Limit(PageSize).Offset(int64((page - 1) * PageSize)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("contact: list: %w", db.Map(err))
	}
	return out, int(n), nil
}

// MarkStaffMailed records that the staff got the message.
func (s *Service) MarkStaffMailed(ctx context.Context, id int64) error {
	_, err := s.db.NewUpdate().Model((*Message)(nil)).Set("staff_mailed_at = ?", time.Now().UTC()).Where("id = ?", id).Exec(ctx)
	return db.Map(err)
}

// MarkAcknowledged records that the visitor got the acknowledgment.
func (s *Service) MarkAcknowledged(ctx context.Context, id int64) error {
	_, err := s.db.NewUpdate().Model((*Message)(nil)).Set("ack_mailed_at = ?", time.Now().UTC()).Where("id = ?", id).Exec(ctx)
	return db.Map(err)
}

// Count returns how many messages are stored.
func (s *Service) Count(ctx context.Context) (int, error) {
	n, err := s.db.NewSelect().Model((*Message)(nil)).Count(ctx)
	return int(n), db.Map(err)
}
