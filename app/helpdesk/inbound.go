package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/storage"
)

// Mail is an e-mail received at the desk's address, decoded.
type Mail struct {
	// To are the accepted recipients (the desk's address, or a ticket's reply address).
	To []string
	// From is the sender's address and name.
	From, FromName string
	Subject        string
	MessageID      string
	// Refs are the ids of In-Reply-To and References.
	Refs []string
	// Text is the body without the quoted previous message.
	Text string
	// Auto marks an automatic message (an out-of-office reply, a bounce): it never opens a
	// ticket and is only noted on the ticket it answers.
	Auto bool
	// Files are the files the mail carried (app/inbound bounds their number and the message's
	// size); each is checked like every upload before it is stored on the ticket's message.
	Files []MailFile
}

// MailFile is a file a mail carried: its declared name and its decoded bytes.
type MailFile struct {
	Name string
	Data []byte
}

// Errors of the inbound mail, for the SMTP answer.
var (
	// ErrNotOurs is a recipient that is not the desk's address.
	ErrNotOurs = errors.New("helpdesk: not the help desk's address")
	// ErrUnknownTicket is a reply address whose ticket does not exist.
	ErrUnknownTicket = errors.New("helpdesk: no ticket has this reply address")
)

// token returns the ticket token of a recipient address: "" for the desk's own address, an error
// for an address that is not the desk's.
func (s *Service) token(rcpt string) (string, error) {
	local, domain, ok := strings.Cut(strings.ToLower(strings.Trim(rcpt, "<> ")), "@")
	deskLocal, deskDomain, _ := strings.Cut(strings.ToLower(s.Address), "@")
	if !ok || s.Address == "" || domain != deskDomain {
		return "", ErrNotOurs
	}
	if local == deskLocal {
		return "", nil
	}
	if tok, ok := strings.CutPrefix(local, deskLocal+"+"); ok && tok != "" {
		return tok, nil
	}
	return "", ErrNotOurs
}

// Accept says whether the desk takes mail for rcpt: its own address, or the reply address of an
// existing ticket.
func (s *Service) Accept(ctx context.Context, rcpt string) error {
	tok, err := s.token(rcpt)
	if err != nil || tok == "" {
		return err
	}
	if _, err := s.ByToken(ctx, tok); errors.Is(err, db.ErrNotFound) {
		return ErrUnknownTicket
	} else if err != nil {
		return err
	}
	return nil
}

// Outcome is what became of a received mail.
type Outcome struct {
	Ticket int64
	// Opened is set when the mail opened a new ticket, Duplicate when it had been received already.
	Opened, Duplicate, Dropped bool
}

// Receive files a received mail: into the ticket it answers when it carries the ticket's reply
// address or references one of its mails and comes from the ticket's requester; otherwise into
// a new ticket (a mail from someone else never enters another person's ticket). A reply to a
// closed ticket opens a new one. A mail received twice (the same Message-ID) is filed once.
func (s *Service) Receive(ctx context.Context, m Mail) (Outcome, error) {
	from := strings.ToLower(strings.TrimSpace(m.From))
	if m.MessageID != "" {
		var id int64
		err := s.db.NewSelect().Model((*Message)(nil)).Column("ticket_id").Where("mail_id = ?", m.MessageID).Limit(1).Scan(ctx, &id)
		if err == nil {
			return Outcome{Ticket: id, Duplicate: true}, nil
		}
		if !errors.Is(db.Map(err), db.ErrNotFound) {
			return Outcome{}, db.Map(err)
		}
	}
	t, err := s.answered(ctx, m)
	if err != nil {
		return Outcome{}, err
	}
	for t != nil && t.MergedInto != 0 { // a merged ticket's replies go where its thread went
		if t, err = s.Get(ctx, t.MergedInto); err != nil {
			return Outcome{}, err
		}
	}
	if t != nil && !strings.EqualFold(t.RequesterEmail, from) {
		t = nil // not the requester: never into their ticket
	}
	files, refused := s.sortFiles(m.Files)
	body := bounded(m, refused)
	if m.Auto {
		if t == nil {
			return Outcome{Dropped: true}, nil
		}
		return Outcome{Ticket: t.ID}, s.System(ctx, t.ID, "helpdesk.system.auto", m.MessageID)
	}
	if t != nil && t.Status != StatusClosed {
		_, err := s.Reply(ctx, Actor{Name: nameOf(m)}, t.ID, body, ChannelEmail, m.MessageID, files...)
		var refused Refused
		if !errors.As(err, &refused) {
			return Outcome{Ticket: t.ID}, err
		}
	}
	subject := m.Subject
	if strings.TrimSpace(subject) == "" {
		subject = "(senza oggetto)"
	}
	if utf8.RuneCountInString(subject) > MaxSubject {
		subject = string([]rune(subject)[:MaxSubject-1]) + "…"
	}
	nt, err := s.Open(ctx, Opening{Channel: ChannelEmail, Subject: subject, Body: body, Name: nameOf(m), Email: from,
		Lang: "it", MailID: m.MessageID, Files: files})
	if err != nil {
		return Outcome{}, fmt.Errorf("helpdesk: mail from %s: %w", from, err)
	}
	return Outcome{Ticket: nt.ID, Opened: true}, nil
}

// answered finds the ticket a mail answers: by the token of its reply address, else by the
// Message-ID of one of the desk's mails it references.
func (s *Service) answered(ctx context.Context, m Mail) (*Ticket, error) {
	for _, rcpt := range m.To {
		if tok, err := s.token(rcpt); err == nil && tok != "" {
			t, err := s.ByToken(ctx, tok)
			if errors.Is(err, db.ErrNotFound) {
				continue
			}
			return t, err
		}
	}
	if len(m.Refs) == 0 {
		return nil, nil
	}
	refs := m.Refs
	if len(refs) > 50 {
		refs = refs[len(refs)-50:]
	}
	var id int64
	err := s.db.NewSelect().Model((*Message)(nil)).Column("ticket_id").Where("mail_id IN (?)", bun.In(refs)).
		Where("from_desk").Order("id DESC").Limit(1).Scan(ctx, &id)
	if errors.Is(db.Map(err), db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, db.Map(err)
	}
	return s.Get(ctx, id)
}

func nameOf(m Mail) string {
	if n := strings.TrimSpace(m.FromName); n != "" {
		return n
	}
	return m.From
}

// sortFiles checks a mail's files one by one: those that pass are stored with the message, each
// refused one is named with its reason in the message's text (a refused file never refuses the
// mail). Files past MaxFiles are refused too.
func (s *Service) sortFiles(in []MailFile) (ok []Upload, refused []string) {
	for i, f := range in {
		u := BytesUpload(f.Name, f.Data)
		var err error
		if i >= MaxFiles {
			err = &FileRefused{Name: storage.CleanName(f.Name, "allegato"), Err: ErrTooManyFiles}
		} else {
			err = s.CheckFile(u)
		}
		var bad *FileRefused
		switch {
		case err == nil:
			ok = append(ok, u)
		case errors.As(err, &bad):
			reason := reasonIt(bad.Err)
			if errors.Is(bad.Err, ErrTooManyFiles) {
				reason = fmt.Sprintf("oltre i %d allegati di un messaggio", MaxFiles)
			}
			refused = append(refused, fmt.Sprintf("%s (%s)", bad.Name, reason))
		default:
			refused = append(refused, fmt.Sprintf("%s (illeggibile)", storage.CleanName(f.Name, "allegato")))
		}
	}
	return ok, refused
}

// bounded is the mail's text cut to the thread's limit, with a line naming the files refused.
func bounded(m Mail, refused []string) string {
	text := strings.TrimSpace(m.Text)
	if text == "" {
		text = "(messaggio senza testo)"
	}
	if utf8.RuneCountInString(text) > MaxBody-200 {
		text = string([]rune(text)[:MaxBody-200]) + "\n[…]"
	}
	if len(refused) > 0 {
		text += "\n\n[Allegati non conservati: " + strings.Join(refused, "; ") + ". Si possono inviare di nuovo dalla pagina della richiesta.]"
	}
	return text
}
