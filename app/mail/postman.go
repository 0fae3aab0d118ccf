package mail

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/uptrace/bun"

	"passhub/app/jobs"
)

// Postman renders and delivers the site's e-mails for the domains' listeners: once per recipient
// and event, and marking the addresses the server refuses for good.
type Postman struct {
	Sender    Sender
	Templates *Templates
	DB        bun.IDB
	// BaseURL is the site's address, for the links in the messages (no trailing slash).
	BaseURL string
	// Bounced marks an address refused for good on the users who have it.
	Bounced func(ctx context.Context, address, answer string) error
	Log     *slog.Logger
}

// URL is the site's address of path.
func (p *Postman) URL(path string) string { return strings.TrimSuffix(p.BaseURL, "/") + path }

// Send delivers a message; an address the server refuses for good is marked on its users. Inside a
// job, recipients already sent this job's message are skipped, and each delivery is recorded as
// soon as the server accepts it, so a job that runs again does not mail anyone twice.
func (p *Postman) Send(ctx context.Context, m Message) error {
	key := jobs.EventKey(ctx)
	ledger := Ledger{DB: p.DB}
	if key != "" {
		to, err := ledger.Unsent(ctx, key, m.To)
		if err != nil || len(to) == 0 {
			return err
		}
		m.To = to
	}
	err := p.Sender.Send(ctx, m)
	if err == nil && key != "" {
		// The server has the message: record it even if the job's own deadline just passed.
		return ledger.Record(context.WithoutCancel(ctx), key, m.To)
	}
	var bounce *BounceError
	if errors.As(err, &bounce) {
		for _, addr := range bounce.Addresses {
			if p.Bounced != nil {
				if merr := p.Bounced(ctx, addr, bounce.Answer); merr != nil {
					err = errors.Join(err, merr)
				}
			}
			if p.Log != nil {
				p.Log.Warn("mail address refused for good", "to", addr, "answer", bounce.Answer)
			}
		}
	}
	return err
}

// SendEach sends one message per recipient, so a refused address does not stop the others.
func (p *Postman) SendEach(ctx context.Context, name, lang string, to []string, data map[string]any) error {
	var errs error
	for _, addr := range to {
		msg, err := p.Templates.Render(name, lang, []string{addr}, data)
		if err != nil {
			return err
		}
		errs = errors.Join(errs, p.Send(ctx, msg))
	}
	return errs
}

// Lang is the language of a user's e-mails: English for those who chose it, Italian otherwise.
func Lang(userLang string) string {
	if userLang == "en" {
		return "en"
	}
	return "it"
}
