package helpdesk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/riverqueue/river"

	"passhub/app/contact"
	"passhub/app/db"
	"passhub/app/event"
	"passhub/app/mail"
	"passhub/app/realtime"
)

// Notifier tells people of something on their bell, and by e-mail as their preferences say.
type Notifier interface {
	Notify(ctx context.Context, users []int64, kind, subject, url string) error
}

// Notification kinds: an answer to the requester (on the bell; the answer itself is mailed by
// the desk), a requester's reply to the assigned operator, a ticket assigned to an operator, and
// the reminders before a service level is missed.
const (
	KindAnswered = "helpdesk.answer"
	KindReply    = "helpdesk.reply"
	KindAssigned = "helpdesk.assigned"
	KindDueSoon  = "helpdesk.due"
)

// Desk is what the listeners need besides the service: the mail, the bell, the open pages and
// the contact messages that become tickets.
type Desk struct {
	Post     *mail.Postman
	Notices  Notifier
	Realtime *realtime.Service
	Contacts *contact.Service
	// Operators lists the operators' user ids (the reminders of unassigned tickets go to all).
	Operators func(ctx context.Context) ([]int64, error)
}

// Listen registers the help desk's rules: each ticket opened from a channel other than the
// contact form is acknowledged by mail; each operator's answer is mailed to the requester with
// the ticket's reply address and the thread's references, and a resolved ticket asks for a
// rating; the bell tells the requester of answers and the operator of replies and assignments;
// a contact message becomes a ticket; the queue's open pages hear of every change.
func (s *Service) Listen(d *event.Dispatcher, desk Desk) {
	event.On(d, "mail", func(ctx context.Context, c Changed) error { return s.mail(ctx, desk.Post, c) })
	event.On(d, "notify", func(ctx context.Context, c Changed) error { return s.notify(ctx, desk.Notices, c) })
	if desk.Contacts != nil {
		event.On(d, "helpdesk", func(ctx context.Context, ev contact.MessageReceived) error {
			return s.fromContact(ctx, desk.Contacts, ev.MessageID)
		})
	}
	if desk.Realtime != nil {
		desk.Realtime.Handle(LiveTopic, func(topic string) {
			desk.Realtime.Hub.Publish(topic, []byte(`<div id="live-updates" hx-swap-oob="true"><span hx-get="`+Queue+
				`/aggiornamenti" hx-include="#helpdesk-live" hx-trigger="load" hx-swap="none"></span></div>`))
		})
	}
}

// fromContact opens the ticket of a contact message (once: the message names its ticket).
func (s *Service) fromContact(ctx context.Context, contacts *contact.Service, id int64) error {
	m, err := contacts.Message(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.Open(ctx, Opening{Channel: ChannelContact, Subject: m.Subject, Body: m.Message, Name: m.Name, Email: m.Email,
		EnteName: m.Ente, Lang: m.Lang, ContactID: m.ID})
	var bad Invalid
	if errors.As(err, &bad) { // the form's limits are the desk's: this cannot happen, but must not retry forever
		return river.JobCancel(err)
	}
	return err
}

// Queue is the operators' queue.
const Queue = "/area-riservata/helpdesk"

// Reserved is the requesters' section.
const Reserved = "/area-riservata/assistenza"

// TicketURL is a ticket's page in the operators' queue.
func TicketURL(id int64) string { return fmt.Sprintf("%s/%d", Queue, id) }

// MineURL is a ticket's page for its requester.
func MineURL(id int64) string { return fmt.Sprintf("%s/%d", Reserved, id) }

// RateURL is the rating page of a ticket, for requesters with or without an account.
func RateURL(token string) string { return "/assistenza/valuta/" + token }

// ReplyAddress is the address that brings a mail back into the ticket: the desk's address with
// the ticket's token after a "+" ("assistenza+token@…"), "" when no address is configured.
func (s *Service) ReplyAddress(t *Ticket) string {
	local, domain, ok := strings.Cut(s.Address, "@")
	if !ok {
		return ""
	}
	return local + "+" + t.Token + "@" + domain
}

func (s *Service) mailDomain() string {
	if _, d, ok := strings.Cut(s.Address, "@"); ok {
		return d
	}
	return "pass.invalid"
}

// mailID makes the Message-ID of a message the desk sends: it names the ticket, and its random
// part makes it unguessable.
func (s *Service) mailID(t *Ticket, m *Message) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return fmt.Sprintf("t%d.m%d.%s@%s", t.ID, m.ID, hex.EncodeToString(b), s.mailDomain())
}

// mail sends what the change asks for, once: the acknowledgment of a new ticket, an answer (with
// the rating link when it resolves), the rating request of a ticket resolved without an answer.
func (s *Service) mail(ctx context.Context, post *mail.Postman, c Changed) error {
	if post == nil {
		return nil
	}
	t, err := s.Get(ctx, c.Ticket)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if t.RequesterEmail == "" {
		return nil
	}
	switch {
	case c.Step == StepOpened && t.Channel != ChannelContact: // the contact form acknowledges its own messages
		return s.send(ctx, post, t, 0, "helpdesk_ack")
	case c.Step == StepAnswered || c.Step == StepResolved && c.Message != 0:
		return s.send(ctx, post, t, c.Message, "helpdesk_answer")
	case c.Step == StepResolved:
		return s.send(ctx, post, t, 0, "helpdesk_resolved")
	}
	return nil
}

// send mails template about message id of t (0 for none) to the requester, threaded: the
// message's Message-ID is kept before sending, so a reply to it finds the ticket, and the mail
// references the ticket's earlier mails. A public message's files go with it, read from the
// storage now, within MailFilesMax; the text names those left out. A message mailed already is
// not mailed again.
func (s *Service) send(ctx context.Context, post *mail.Postman, t *Ticket, id int64, template string) error {
	var m *Message
	if id != 0 {
		var err error
		if m, err = s.Message(ctx, id); errors.Is(err, db.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if !m.MailedAt.IsZero() || m.TicketID != t.ID {
			return nil
		}
	}
	var refs []string
	if err := s.db.NewSelect().Model((*Message)(nil)).Column("mail_id").Where("ticket_id = ?", t.ID).
		Where("mail_id IS NOT NULL").Where("id <> ?", id).Order("id").Scan(ctx, &refs); err != nil {
		return db.Map(err)
	}
	data := map[string]any{"ID": t.ID, "Subject": t.Subject, "Name": t.RequesterName, "Resolved": t.Status == StatusResolved,
		"RateURL": post.URL(RateURL(t.Token)), "ReplyByMail": s.Address != ""}
	if t.RequesterID != 0 {
		data["URL"] = post.URL(MineURL(t.ID))
	}
	var files []mail.Attachment
	if m != nil {
		data["Body"], data["Author"] = m.Body, m.AuthorName
		if m.Kind == KindPublic { // an internal note's files are never mailed
			var rows []File
			if err := s.db.NewSelect().Model(&rows).Where("message_id = ?", m.ID).Order("id").Scan(ctx); err != nil {
				return db.Map(err)
			}
			var left []LeftFile
			var err error
			if files, left, err = mailFiles(ctx, s.Files, rows, MailFilesMax); err != nil {
				return err
			}
			data["Left"], data["MailFilesMB"] = left, MailFilesMax>>20
		}
	}
	msg, err := post.Templates.Render(template, t.Lang, []string{t.RequesterEmail}, data)
	if err != nil {
		return err
	}
	msg.Attachments = files
	msg.ReplyTo, msg.References = s.ReplyAddress(t), refs
	if m != nil {
		if m.MailID == "" {
			m.MailID = s.mailID(t, m)
			if _, err := s.db.NewUpdate().Model(m).Column("mail_id").WherePK().Exec(ctx); err != nil {
				return db.Map(err)
			}
		}
		msg.MessageID = m.MailID
	} else {
		msg.MessageID = fmt.Sprintf("t%d.%s.%s@%s", t.ID, template, t.Token[:8], s.mailDomain())
	}
	err = post.Send(ctx, msg)
	var bounce *mail.BounceError
	if errors.As(err, &bounce) {
		return river.JobCancel(err) // the address is refused for good: the operators see it on the ticket
	}
	if err != nil || m == nil {
		return err
	}
	_, err = s.db.NewUpdate().Model(m).Set("mailed_at = ?", s.Now()).WherePK().Exec(ctx)
	return db.Map(err)
}

// notify tells the requester of an answer on their bell, the assigned operator of the requester's
// reply, and an operator of a ticket someone else assigned them.
func (s *Service) notify(ctx context.Context, notices Notifier, c Changed) error {
	if notices == nil {
		return nil
	}
	t, err := s.Get(ctx, c.Ticket)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	subject := fmt.Sprintf("#%d %s", t.ID, t.Subject)
	switch {
	case (c.Step == StepAnswered || c.Step == StepResolved && c.Message != 0) && t.RequesterID != 0:
		return notices.Notify(ctx, []int64{t.RequesterID}, KindAnswered, subject, MineURL(t.ID))
	case c.Step == StepReplied && t.AssigneeID != 0:
		return notices.Notify(ctx, []int64{t.AssigneeID}, KindReply, subject, TicketURL(t.ID))
	case c.Assigned != 0:
		return notices.Notify(ctx, []int64{c.Assigned}, KindAssigned, subject, TicketURL(t.ID))
	}
	return nil
}
