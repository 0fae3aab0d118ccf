package funding

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/jobs"
)

// Notifier tells people of something on their bell, and by e-mail as their preferences say
// (notify.Centre); inside a job, the context's event key keeps a rerun from telling twice.
type Notifier interface {
	Notify(ctx context.Context, users []int64, kind, subject, url string) error
}

// Enqueuer adds a job inside a transaction (jobs.Queue).
type Enqueuer interface {
	Enqueue(ctx context.Context, idb bun.IDB, args river.JobArgs) error
}

// BulletinMailer e-mails one person their bulletin.
type BulletinMailer interface {
	SendBulletin(ctx context.Context, userID int64, b *Bulletin) error
}

// Notification kinds (their preference topic is notify's "funding").
const (
	KindNew      = "funding.new"
	KindReminder = "funding.reminder"
)

// SubscriptionForm is a subscription as the form states it.
type SubscriptionForm struct {
	Topics, Programmes  []string
	Channel, DaysBefore string
}

// Subscription returns the person's subscription, or nil when they have none.
func (s *Service) Subscription(ctx context.Context, userID int64) (*Subscription, error) {
	var sub Subscription
	err := s.db.NewSelect().Model(&sub).Where("user_id = ?", userID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.Map(err)
	}
	if err := s.fillSubs(ctx, []*Subscription{&sub}); err != nil {
		return nil, err
	}
	return &sub, nil
}

func (s *Service) fillSubs(ctx context.Context, subs []*Subscription) error {
	if len(subs) == 0 {
		return nil
	}
	ids := make([]int64, len(subs))
	by := map[int64]*Subscription{}
	for i, sub := range subs {
		ids[i], by[sub.ID] = sub.ID, sub
	}
	var items []SubscriptionItem
	if err := s.db.NewSelect().Model(&items).Where("subscription_id IN (?)", bun.In(ids)).Order("subscription_id", "kind", "value").Scan(ctx); err != nil {
		return db.Map(err)
	}
	for _, it := range items {
		sub := by[it.SubscriptionID]
		if it.Kind == ItemTopic {
			sub.Topics = append(sub.Topics, it.Value)
		} else {
			sub.Programmes = append(sub.Programmes, it.Value)
		}
	}
	return nil
}

// Subscribe stores the person's subscription (replacing the one they had). Topics and
// programmes must be among those of the published calls.
func (s *Service) Subscribe(ctx context.Context, userID int64, f SubscriptionForm) (*Subscription, error) {
	ch, err := s.Choices(ctx)
	if err != nil {
		return nil, err
	}
	bad := Invalid{}
	sub := &Subscription{UserID: userID, Channel: f.Channel}
	for _, t := range f.Topics {
		if !contains(ch.Topics, t) {
			bad["topics"] = "funding.error.unknown_topic"
		} else if !contains(sub.Topics, t) {
			sub.Topics = append(sub.Topics, t)
		}
	}
	for _, p := range f.Programmes {
		if !contains(ch.Programmes, p) {
			bad["programmes"] = "funding.error.unknown_programme"
		} else if !contains(sub.Programmes, p) {
			sub.Programmes = append(sub.Programmes, p)
		}
	}
	if len(bad) == 0 && len(sub.Topics)+len(sub.Programmes) == 0 {
		bad["topics"] = "funding.error.subscription_empty"
	}
	if sub.Channel != ChannelNow && sub.Channel != ChannelBulletin {
		bad["channel"] = "funding.error.channel"
	}
	sub.DaysBefore = DefaultDaysBefore
	if d := strings.TrimSpace(f.DaysBefore); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > MaxDaysBefore {
			bad["days_before"] = "funding.error.days_before"
		}
		sub.DaysBefore = n
	}
	if len(bad) > 0 {
		return nil, bad
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.now()
		sub.CreatedAt, sub.UpdatedAt = now, now
		if _, err := tx.NewInsert().Model(sub).On("CONFLICT (user_id) DO UPDATE").
			Set("channel = EXCLUDED.channel, days_before = EXCLUDED.days_before, updated_at = EXCLUDED.updated_at").
			Returning("id").Exec(ctx); err != nil {
			return db.Map(err)
		}
		if _, err := tx.NewDelete().Model((*SubscriptionItem)(nil)).Where("subscription_id = ?", sub.ID).Exec(ctx); err != nil {
			return db.Map(err)
		}
		for kind, values := range map[string][]string{ItemTopic: sub.Topics, ItemProgramme: sub.Programmes} {
			for _, v := range values {
				if _, err := tx.NewInsert().Model(&SubscriptionItem{SubscriptionID: sub.ID, Kind: kind, Value: v}).Exec(ctx); err != nil {
					return db.Map(err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// Unsubscribe removes the person's subscription.
func (s *Service) Unsubscribe(ctx context.Context, userID int64) error {
	_, err := s.db.NewDelete().Model((*Subscription)(nil)).Where("user_id = ?", userID).Exec(ctx)
	return db.Map(err)
}

func (s *Service) subscriptions(ctx context.Context, channel string) ([]*Subscription, error) {
	var subs []*Subscription
	if err := s.db.NewSelect().Model(&subs).Where("channel = ?", channel).Order("id").Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	return subs, s.fillSubs(ctx, subs)
}

// CallURL is the public page of a call.
func CallURL(slug string) string { return "/bandi/" + slug }

// tellNew notifies, once each, the immediate subscribers a newly published call concerns.
func (s *Service) tellNew(ctx context.Context, ids []int64) error {
	if s.Notices == nil || len(ids) == 0 {
		return nil
	}
	subs, err := s.subscriptions(ctx, ChannelNow)
	if err != nil || len(subs) == 0 {
		return err
	}
	calls, err := s.callsByID(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		c := calls[id]
		if c == nil || !c.Published() {
			continue // withdrawn since
		}
		for _, sub := range subs {
			if !sub.Matches(c) {
				continue
			}
			res, err := s.db.NewInsert().Model(&NewsSent{SubscriptionID: sub.ID, CallID: c.ID, SentAt: s.now()}).
				On("CONFLICT DO NOTHING").Exec(ctx)
			if err != nil {
				return db.Map(err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // told before (published, withdrawn and published again)
			}
			key := jobs.WithEventKey(ctx, "funding.new:"+strconv.FormatInt(sub.ID, 10)+":"+strconv.FormatInt(c.ID, 10))
			if err := s.Notices.Notify(key, []int64{sub.UserID}, KindNew, c.Title, CallURL(c.Slug)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Due is one reminder to send: a subscription and the deadline it is about.
type Due struct {
	Subscription *Subscription
	Entry        Entry
}

// DueReminders lists the reminders due today (by the service's clock): for each immediate
// subscription, the deadlines of the published calls it follows that fall within its days
// before, today included, and were not reminded yet. A day the job did not run is caught up by
// the next run, while the deadline has not passed.
func (s *Service) DueReminders(ctx context.Context) ([]Due, error) {
	subs, err := s.subscriptions(ctx, ChannelNow)
	if err != nil || len(subs) == 0 {
		return nil, err
	}
	today := s.Now().In(Rome)
	horizon := 0
	for _, sub := range subs {
		horizon = max(horizon, sub.DaysBefore)
	}
	entries, err := s.Calendar(ctx, Filter{From: today.Format(DateLayout), To: today.AddDate(0, 0, horizon).Format(DateLayout)}, 0)
	if err != nil || len(entries) == 0 {
		return nil, err
	}
	var sent []ReminderSent
	ids := make([]int64, len(entries))
	for i, e := range entries {
		ids[i] = e.Deadline.ID
	}
	for start := 0; start < len(ids); start += 500 {
		var chunk []ReminderSent
		if err := s.db.NewSelect().Model(&chunk).Column("subscription_id", "deadline_id").
			Where("deadline_id IN (?)", bun.In(ids[start:min(start+500, len(ids))])).Scan(ctx); err != nil {
			return nil, db.Map(err)
		}
		sent = append(sent, chunk...)
	}
	done := map[[2]int64]bool{}
	for _, x := range sent {
		done[[2]int64{x.SubscriptionID, x.DeadlineID}] = true
	}
	var out []Due
	for _, sub := range subs {
		last := today.AddDate(0, 0, sub.DaysBefore).Format(DateLayout)
		for _, e := range entries {
			if e.Deadline.DueOn > last || done[[2]int64{sub.ID, e.Deadline.ID}] || !sub.Matches(e.Call) {
				continue
			}
			if e.Deadline.DueOn == today.Format(DateLayout) && !e.Deadline.AllDay() && !e.Deadline.At().After(s.now()) {
				continue // passed an hour ago: nothing left to remind
			}
			out = append(out, Due{Subscription: sub, Entry: e})
		}
	}
	return out, nil
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// SendReminders sends the reminders due (DueReminders) and returns how many. Each is recorded
// in funding_reminders_sent after its notification, under an event key of its own: a run that
// stopped midway is completed by the next without telling twice nor leaving one out.
func (s *Service) SendReminders(ctx context.Context) (int, error) {
	if s.Notices == nil {
		return 0, nil
	}
	due, err := s.DueReminders(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range due {
		dl, c := d.Entry.Deadline, d.Entry.Call
		key := jobs.WithEventKey(ctx, "funding.reminder:"+strconv.FormatInt(d.Subscription.ID, 10)+":"+strconv.FormatInt(dl.ID, 10))
		subject := c.Title + " – " + dl.DueOn
		if dl.DueTime != "" {
			subject += " " + dl.DueTime
		}
		if dl.Label != "" {
			subject += " (" + dl.Label + ")"
		}
		if err := s.Notices.Notify(key, []int64{d.Subscription.UserID}, KindReminder, subject, CallURL(c.Slug)); err != nil {
			return n, err
		}
		if _, err := s.db.NewInsert().Model(&ReminderSent{SubscriptionID: d.Subscription.ID, DeadlineID: dl.ID, SentAt: s.now()}).
			On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return n, db.Map(err)
		}
		n++
	}
	return n, nil
}

// BulletinHorizon is how far ahead the bulletin looks for closing calls; BulletinPeriod how far
// back for new ones.
const (
	BulletinHorizon = 14
	BulletinPeriod  = 7 * 24 * time.Hour
)

// Bulletin is one person's weekly digest: the calls published in the past week and the
// deadlines of the coming two weeks, of the topics and programmes they follow.
type Bulletin struct {
	Week    string // ISO week, 2026-W50
	New     []*Call
	Closing []Entry
}

// Empty reports whether the bulletin has nothing to say.
func (b *Bulletin) Empty() bool { return len(b.New) == 0 && len(b.Closing) == 0 }

// Week names the ISO week of t in Rome.
func Week(t time.Time) string {
	y, w := t.In(Rome).ISOWeek()
	return strconv.Itoa(y) + "-W" + pad2(w)
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// BulletinFor builds the bulletin of a subscription as of at.
func (s *Service) BulletinFor(ctx context.Context, sub *Subscription, at time.Time) (*Bulletin, error) {
	b := &Bulletin{Week: Week(at)}
	var fresh []*Call
	if err := s.db.NewSelect().Model(&fresh).Where("published_at IS NOT NULL").Where("published_at > ?", at.Add(-BulletinPeriod)).
		Where("published_at <= ?", at).Order("published_at", "id").Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	if err := s.fill(ctx, fresh); err != nil {
		return nil, err
	}
	for _, c := range fresh {
		if sub.Matches(c) {
			b.New = append(b.New, c)
		}
	}
	day := at.In(Rome)
	entries, err := s.Calendar(ctx, Filter{From: day.Format(DateLayout), To: day.AddDate(0, 0, BulletinHorizon).Format(DateLayout)}, 0)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if sub.Matches(e.Call) {
			b.Closing = append(b.Closing, e)
		}
	}
	return b, nil
}

// QueueBulletins queues this week's bulletin of every bulletin subscription that has something
// to say, each once: the week's row and the e-mail's job commit together.
func (s *Service) QueueBulletins(ctx context.Context) (int, error) {
	if s.Jobs == nil {
		return 0, nil
	}
	subs, err := s.subscriptions(ctx, ChannelBulletin)
	if err != nil {
		return 0, err
	}
	at := s.now()
	n := 0
	for _, sub := range subs {
		b, err := s.BulletinFor(ctx, sub, at)
		if err != nil {
			return n, err
		}
		if b.Empty() {
			continue
		}
		err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			res, err := tx.NewInsert().Model(&BulletinSent{SubscriptionID: sub.ID, Week: b.Week, SentAt: at}).
				On("CONFLICT DO NOTHING").Exec(ctx)
			if err != nil {
				return db.Map(err)
			}
			if k, _ := res.RowsAffected(); k == 0 {
				return nil // queued by an earlier run
			}
			n++
			return s.Jobs.Enqueue(ctx, tx, BulletinMailArgs{SubscriptionID: sub.ID, At: at})
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// sendBulletin e-mails one queued bulletin, built as of its week's run.
func (s *Service) sendBulletin(ctx context.Context, subID int64, at time.Time) error {
	if s.Mail == nil {
		return nil
	}
	var sub Subscription
	if err := s.db.NewSelect().Model(&sub).Where("id = ?", subID).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil // unsubscribed meanwhile
		}
		return db.Map(err)
	}
	if err := s.fillSubs(ctx, []*Subscription{&sub}); err != nil {
		return err
	}
	b, err := s.BulletinFor(ctx, &sub, at)
	if err != nil || b.Empty() {
		return err
	}
	return s.Mail.SendBulletin(ctx, sub.UserID, b)
}
