package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/mail"
)

// E-mail modes of a notification topic.
const (
	ModeNow    = "now"    // an e-mail for each notification
	ModeDigest = "digest" // one e-mail a day with everything not yet e-mailed
	ModeNever  = "never"  // the bell only
)

// Topics group notification kinds for preferences, with their default mode: changes of a
// request's state are mailed at once, the workspace's traffic in the daily digest; a new version
// of a tender document an ente downloaded (app/tender) is mailed at once; the CRM's follow-ups due
// and the work areas' traffic go in the digest; the calls for funding's alerts (new calls,
// reminders before a deadline: app/funding) are mailed at once; the help desk's tickets assigned
// to an operator and their due times (app/helpdesk) are mailed at once, while the answers to a
// requester stay on the bell by default (the desk mails each answer itself, with its reply
// address); a new version of an act template one used (app/acts) is mailed at once.
var Topics = []struct{ Name, Default string }{{"state", ModeNow}, {"message", ModeDigest}, {"document", ModeDigest}, {"activity", ModeDigest},
	{"tender", ModeNow}, {"crm", ModeDigest}, {"area", ModeDigest}, {"funding", ModeNow}, {"helpdesk", ModeNow}, {"ticket", ModeNever},
	{"acts", ModeNow}}

// TopicOf returns the preference topic of a notification kind.
func TopicOf(kind string) string {
	if strings.HasPrefix(kind, "tender.") {
		return "tender"
	}
	if strings.HasPrefix(kind, "crm.") {
		return "crm" // the CRM's follow-ups due (app/crm)
	}
	if strings.HasPrefix(kind, "area.") { // the work areas' topics, replies and mentions
		return "area"
	}
	if strings.HasPrefix(kind, "funding.") {
		return "funding"
	}
	if strings.HasPrefix(kind, "acts.") {
		return "acts"
	}
	if kind == "helpdesk.answer" { // the requester's side
		return "ticket"
	}
	if strings.HasPrefix(kind, "helpdesk.") { // the operators' side
		return "helpdesk"
	}
	switch strings.TrimPrefix(kind, "request.") {
	case "message", "document", "activity":
		return strings.TrimPrefix(kind, "request.")
	}
	return "state"
}

// Pref is a user's e-mail mode for a topic.
type Pref struct {
	bun.BaseModel `bun:"table:notification_prefs"`

	UserID int64  `bun:"user_id,pk"`
	Topic  string `bun:"topic,pk"`
	Mode   string `bun:"mode"`
}

// Mailer sends the e-mails of notifications: one at once, or a digest of several.
type Mailer interface {
	SendNotices(ctx context.Context, userID int64, items []Notification, digest bool) error
}

// Prefs returns a user's mode for every topic, defaults included.
func (c *Centre) Prefs(ctx context.Context, userID int64) (map[string]string, error) {
	out := map[string]string{}
	for _, t := range Topics {
		out[t.Name] = t.Default
	}
	var rows []Pref
	if err := c.db.NewSelect().Model(&rows).Where("user_id = ?", userID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("notify: preferences: %w", db.Map(err))
	}
	for _, r := range rows {
		out[r.Topic] = r.Mode
	}
	return out, nil
}

// validMode reports whether mode is one of the three.
func validMode(mode string) bool { return mode == ModeNow || mode == ModeDigest || mode == ModeNever }

// validPrefs reports whether every mode is one of the three.
func validPrefs(prefs map[string]string) bool {
	for _, mode := range prefs {
		if !validMode(mode) {
			return false
		}
	}
	return true
}

// SetPref stores a user's mode for a topic.
func (c *Centre) SetPref(ctx context.Context, userID int64, topic, mode string) error {
	valid := false
	for _, t := range Topics {
		valid = valid || t.Name == topic
	}
	if !valid || !validMode(mode) {
		return fmt.Errorf("notify: preference %s=%s: %w", topic, mode, db.ErrNotFound)
	}
	_, err := c.db.NewInsert().Model(&Pref{UserID: userID, Topic: topic, Mode: mode}).
		On("CONFLICT (user_id, topic) DO UPDATE").Set("mode = EXCLUDED.mode").Exec(ctx)
	return db.Map(err)
}

func (c *Centre) markEmailed(ctx context.Context, ids []int64) {
	if len(ids) == 0 {
		return
	}
	_, _ = c.db.NewUpdate().Model((*Notification)(nil)).Set("emailed_at = ?", time.Now().UTC()).Where("id IN (?)", bun.In(ids)).Exec(ctx)
}

// SendDigests e-mails each user one digest of the notifications not yet e-mailed nor read, and
// returns how many digests went out.
func (c *Centre) SendDigests(ctx context.Context) (int, error) {
	if c.Mailer == nil {
		return 0, nil
	}
	var rows []Notification
	if err := c.db.NewSelect().Model(&rows).Where("emailed_at IS NULL").Where("read_at IS NULL").Order("user_id", "created_at").Scan(ctx); err != nil {
		return 0, fmt.Errorf("notify: digests: %w", db.Map(err))
	}
	byUser := map[int64][]Notification{}
	for _, n := range rows {
		byUser[n.UserID] = append(byUser[n.UserID], n)
	}
	sent := 0
	var failed error
	for user, items := range byUser {
		if c.Subjects != nil {
			// only what the recipient may still open: an unassigned expert is not mailed the news
			// of a request they left (those notifications stay, and return if access does)
			s, err := c.Subjects(ctx, user)
			if err != nil {
				failed = errors.Join(failed, err)
				continue
			}
			items = nil
			q := c.db.NewSelect().Model(&items).Where("user_id = ?", user).Where("emailed_at IS NULL").
				Where("read_at IS NULL").Order("created_at")
			if err := c.inScope(q, s).Scan(ctx); err != nil {
				failed = errors.Join(failed, db.Map(err))
				continue
			}
			if len(items) == 0 {
				continue
			}
		}
		if err := c.Mailer.SendNotices(ctx, user, items, true); err != nil {
			var bounce *mail.BounceError
			if !errors.As(err, &bounce) {
				failed = errors.Join(failed, err) // the job tries again; those already sent are marked
				continue
			}
		}
		ids := make([]int64, len(items))
		for i, n := range items {
			ids[i] = n.ID
		}
		c.markEmailed(ctx, ids)
		sent++
	}
	return sent, failed
}
