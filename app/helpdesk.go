package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"

	"passhub/app/helpdesk"
	"passhub/app/identity"
	"passhub/app/inbound"
	"passhub/app/request"
	"passhub/app/web"
	"passhub/app/workspace"
)

// desk is what the help desk's listeners and jobs need from the rest of the platform.
func (a *App) desk() helpdesk.Desk {
	return helpdesk.Desk{Post: a.Post, Notices: a.Notifications, Realtime: a.Realtime, Contacts: a.Contact,
		Operators: func(ctx context.Context) ([]int64, error) {
			return a.Identity.UserIDsWithRole(ctx, identity.RoleOperator)
		}}
}

// helpdeskHandlers are the help desk's routes, with the operators (the assignment's choices) and
// the requesters' addresses from the identity domain.
func (a *App) helpdeskHandlers(w *web.Server) *helpdesk.Handlers {
	h := helpdesk.NewHandlers(w, a.Helpdesk, a.Enti, a.Search)
	h.Operators = func(ctx context.Context) ([]helpdesk.Person, error) {
		users, err := a.Identity.UsersWithRole(ctx, identity.RoleOperator, "")
		if err != nil {
			return nil, err
		}
		out := make([]helpdesk.Person, len(users))
		for i, u := range users {
			out[i] = helpdesk.Person{ID: u.ID, Name: u.FullName()}
		}
		return out, nil
	}
	h.Drafts, h.Requests, h.BaseURL = kbDrafts{a}, ticketRequests{a}, a.Config.BaseURL
	h.Contact = func(ctx context.Context, userID int64) (string, string, error) {
		u, _, err := a.Identity.User(ctx, userID)
		if err != nil {
			return "", "", err
		}
		email := u.Email
		if !u.EmailBouncedAt.IsZero() {
			email = ""
		}
		return u.FullName(), email, nil
	}
	return h
}

// Inbound is the help desk as the inbound mail listener sees it: the recipients it takes and the
// messages it files into tickets.
type Inbound struct{ Desk *helpdesk.Service }

// Accept takes the desk's address and the reply address of an existing ticket; any other
// address is unknown (550), a reply address whose ticket does not exist says so.
func (in Inbound) Accept(ctx context.Context, rcpt string) error {
	err := in.Desk.Accept(ctx, rcpt)
	switch {
	case errors.Is(err, helpdesk.ErrUnknownTicket):
		return &inbound.Rejected{Code: 550, Enhanced: "5.1.1", Text: "No ticket has this reply address: write to the help desk's address"}
	case errors.Is(err, helpdesk.ErrNotOurs):
		return inbound.ErrUnknownRecipient
	}
	return err
}

// Deliver files the message into its ticket or a new one; the SMTP answer is 250 only once it is
// stored.
func (in Inbound) Deliver(ctx context.Context, m *inbound.Message) error {
	text := m.NewText()
	if strings.TrimSpace(text) == "" {
		text = m.Text
	}
	mail := helpdesk.Mail{To: m.Recipients, From: m.From.Address, FromName: m.From.Name, Subject: m.Subject, MessageID: m.MessageID,
		Refs: append(append([]string(nil), m.References...), m.InReplyTo...), Text: text, Auto: m.Auto}
	for _, f := range m.Attachments {
		mail.Files = append(mail.Files, helpdesk.MailFile{Name: f.Name, Data: f.Data})
	}
	if m.ReplyTo != nil && !m.Auto { // the answers go where the sender asked
		mail.From, mail.FromName = m.ReplyTo.Address, cmp.Or(m.ReplyTo.Name, m.From.Name)
	}
	_, err := in.Desk.Receive(ctx, mail)
	var bad helpdesk.Invalid
	if errors.As(err, &bad) {
		return &inbound.Rejected{Code: 554, Enhanced: "5.6.0", Text: "The message cannot become a ticket: " + strings.Join(slices.Sorted(maps.Keys(bad)), ", ")}
	}
	return err
}

// serveInbound starts the help desk's mail listener when an address is configured; the returned
// function stops it.
func (a *App) serveInbound() (func(context.Context) error, error) {
	if a.Config.InboundAddr == "" {
		return func(context.Context) error { return nil }, nil
	}
	srv := inbound.NewServer(inbound.Config{Addr: a.Config.InboundAddr, Domain: cmp.Or(domainOf(a.Config.HelpdeskAddress), "localhost")},
		Inbound{Desk: a.Helpdesk}, a.Log)
	ln, err := net.Listen("tcp", a.Config.InboundAddr)
	if err != nil {
		return nil, fmt.Errorf("app: inbound mail on %s: %w", a.Config.InboundAddr, err)
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, net.ErrClosed) {
			a.Log.Error("inbound mail stopped", "err", err)
		}
	}()
	a.Log.Info("receiving help desk mail", "addr", ln.Addr().String(), "address", a.Config.HelpdeskAddress)
	return srv.Shutdown, nil
}

func domainOf(address string) string {
	_, d, _ := strings.Cut(address, "@")
	return d
}

// ticketRequests turns the help desk's tickets into draft assistance requests of the catalogue.
type ticketRequests struct{ a *App }

func (r ticketRequests) Procedures(ctx context.Context) ([]helpdesk.Procedure, error) {
	tfs, err := r.a.Catalogue.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	var out []helpdesk.Procedure
	for _, tf := range tfs {
		for _, p := range tf.Procedures {
			if p.AcceptsRequests {
				out = append(out, helpdesk.Procedure{Code: p.Code, Title: p.Title, TaskForce: tf.Code})
			}
		}
	}
	return out, nil
}

func (r ticketRequests) Draft(ctx context.Context, who helpdesk.Actor, enteID int64, procedure, title, description, outcome string) (int64, error) {
	req, err := r.a.Requests.File(ctx, request.Actor{UserID: who.UserID, Name: who.Name, IP: who.IP}, enteID,
		request.Form{ProcedureCode: procedure, Title: title, Description: description, DesiredOutcome: outcome}, false)
	var bad request.FieldErrors
	switch {
	case errors.As(err, &bad):
		out := helpdesk.Invalid{}
		for field, id := range bad {
			switch field {
			case "title", "description":
				out[field] = id
			case "desired_outcome", "outcome":
				out["outcome"] = id
			default:
				out["procedure"] = id
			}
		}
		return 0, out
	case errors.Is(err, request.ErrNotAccepting):
		return 0, helpdesk.Invalid{"procedure": "request.procedure.unknown"}
	case err != nil:
		return 0, err
	}
	return req.ID, nil
}

// AddFile adds a ticket's file to the draft request's documents; a file the workspace refuses
// (its size, kind or content, the space's quota) comes back as helpdesk.FileRefused.
func (r ticketRequests) AddFile(ctx context.Context, who helpdesk.Actor, requestID int64, name string, data []byte) error {
	req, err := r.a.Requests.Get(ctx, requestID)
	if err != nil {
		return err
	}
	_, err = r.a.Workspace.Upload(ctx, request.Actor{UserID: who.UserID, Name: who.Name, IP: who.IP}, req, false, 0, name, data, false)
	if workspace.Refused(err) {
		return &helpdesk.FileRefused{Name: name, Err: err}
	}
	return err
}
