// Package funding is the Servizio Europa's calls for funding (bandi): the calls and their
// deadlines, entered by the editors or imported from a file; the public deadline calendar
// (scadenzario) with its iCalendar feeds; and the alerts a person subscribes to (new calls and
// reminders before each deadline, at once by bell and e-mail or in the weekly bulletin).
package funding

import (
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Rome is the time zone of every date and time of a call: deadlines are Italian office hours.
var Rome = mustZone("Europe/Rome")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// Statuses of a call.
const (
	Forthcoming = "forthcoming" // before it opens
	Open        = "open"        // from its opening to its last deadline
	Closed      = "closed"      // after its last deadline
)

// Statuses lists them in their order.
var Statuses = []string{Forthcoming, Open, Closed}

// DateLayout is how dates are kept and exchanged (YYYY-MM-DD); TimeLayout a deadline's time.
const (
	DateLayout = "2006-01-02"
	TimeLayout = "15:04"
)

// Call is one call for funding.
type Call struct {
	bun.BaseModel `bun:"table:funding_calls,alias:call"`

	ID            int64     `bun:"id,pk,autoincrement"`
	Code          string    `bun:"code,nullzero"` // the external code an import matches on
	Slug          string    `bun:"slug"`
	Title         string    `bun:"title"`
	Programme     string    `bun:"programme"`
	Authority     string    `bun:"authority"` // the managing authority
	Summary       string    `bun:"summary"`
	Budget        *int64    `bun:"budget"`     // euros
	CoFunding     *int      `bun:"co_funding"` // percent
	Beneficiaries string    `bun:"beneficiaries"`
	URL           string    `bun:"url"`       // the official text
	OpensOn       string    `bun:"opens_on"`  // YYYY-MM-DD, "" when not said
	ClosesOn      string    `bun:"closes_on"` // the last deadline's date, kept with the deadlines
	ForcedStatus  string    `bun:"forced_status"`
	PublishedAt   time.Time `bun:"published_at,nullzero"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`

	Topics    []string   `bun:"-"`
	Deadlines []Deadline `bun:"-"`
}

// Published reports whether anonymous visitors see the call.
func (c *Call) Published() bool { return !c.PublishedAt.IsZero() }

// StatusOn is the call's status on day (YYYY-MM-DD in Rome): the editor's forced status, else
// forthcoming before its opening, closed after its last deadline, open in between.
func (c *Call) StatusOn(day string) string {
	switch {
	case c.ForcedStatus != "":
		return c.ForcedStatus
	case c.OpensOn != "" && day < c.OpensOn:
		return Forthcoming
	case c.ClosesOn != "" && day > c.ClosesOn:
		return Closed
	}
	return Open
}

// HasTopic reports whether the call is about topic.
func (c *Call) HasTopic(topic string) bool {
	for _, t := range c.Topics {
		if strings.EqualFold(t, topic) {
			return true
		}
	}
	return false
}

// Deadline is one deadline of a call, e.g. its first stage.
type Deadline struct {
	bun.BaseModel `bun:"table:funding_deadlines,alias:dl"`

	ID       int64  `bun:"id,pk,autoincrement"`
	CallID   int64  `bun:"call_id"`
	Position int    `bun:"position"`
	Label    string `bun:"label"`
	DueOn    string `bun:"due_on"`   // YYYY-MM-DD
	DueTime  string `bun:"due_time"` // HH:MM in Rome, "" for the whole day
}

// At is the deadline's moment in Rome (midnight for a whole-day deadline).
func (d Deadline) At() time.Time {
	t, err := time.ParseInLocation(DateLayout+" "+TimeLayout, d.DueOn+" "+d.timeOr("00:00"), Rome)
	if err != nil {
		return time.Time{}
	}
	return t
}

// AllDay reports whether the deadline has no time of day.
func (d Deadline) AllDay() bool { return d.DueTime == "" }

func (d Deadline) timeOr(def string) string {
	if d.DueTime == "" {
		return def
	}
	return d.DueTime
}

// Topic is one topic of a call.
type Topic struct {
	bun.BaseModel `bun:"table:funding_call_topics"`

	CallID int64  `bun:"call_id,pk"`
	Topic  string `bun:"topic,pk"`
}

// Channels of a subscription.
const (
	ChannelNow      = "now"      // bell and e-mail (as the person's notification preferences say)
	ChannelBulletin = "bulletin" // the weekly bulletin only
)

// DefaultDaysBefore is how many days before a deadline its reminder goes, unless the person
// says otherwise; MaxDaysBefore bounds it.
const (
	DefaultDaysBefore = 7
	MaxDaysBefore     = 90
)

// Subscription is one person's alerts.
type Subscription struct {
	bun.BaseModel `bun:"table:funding_subscriptions,alias:sub"`

	ID         int64     `bun:"id,pk,autoincrement"`
	UserID     int64     `bun:"user_id"`
	Channel    string    `bun:"channel"`
	DaysBefore int       `bun:"days_before"`
	CreatedAt  time.Time `bun:"created_at"`
	UpdatedAt  time.Time `bun:"updated_at"`

	Topics     []string `bun:"-"`
	Programmes []string `bun:"-"`
}

// Matches reports whether a call concerns the subscription: one of its topics or its programme.
func (s *Subscription) Matches(c *Call) bool {
	for _, p := range s.Programmes {
		if strings.EqualFold(p, c.Programme) {
			return true
		}
	}
	for _, t := range s.Topics {
		if c.HasTopic(t) {
			return true
		}
	}
	return false
}

// Item kinds of a subscription.
const (
	ItemTopic     = "topic"
	ItemProgramme = "programme"
)

// SubscriptionItem is one topic or programme a subscription follows.
type SubscriptionItem struct {
	bun.BaseModel `bun:"table:funding_subscription_items"`

	SubscriptionID int64  `bun:"subscription_id,pk"`
	Kind           string `bun:"kind,pk"`
	Value          string `bun:"value,pk"`
}

// Day is the deadline's date (for templates' date formatting).
func (d Deadline) Day() time.Time {
	t, _ := time.Parse(DateLayout, d.DueOn)
	return t
}

// Opens is the call's opening date, zero when not said.
func (c *Call) Opens() time.Time {
	t, _ := time.Parse(DateLayout, c.OpensOn)
	return t
}

// Closes is the day of the call's last deadline, zero when it has none.
func (c *Call) Closes() time.Time {
	t, _ := time.Parse(DateLayout, c.ClosesOn)
	return t
}

// BudgetText is the budget in euros with dots between thousands ("1.500.000"), "" when not said.
func (c *Call) BudgetText() string {
	if c.Budget == nil {
		return ""
	}
	return Thousands(*c.Budget)
}

// Thousands writes n with dots between thousands, as Italian amounts are written ("1.500.000").
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r != '-' && s[i-1] != '-' && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CoFundingText is the co-funding rate ("80"), "" when not said.
func (c *Call) CoFundingText() string {
	if c.CoFunding == nil {
		return ""
	}
	return strconv.Itoa(*c.CoFunding)
}

// ReminderSent records one reminder sent: a subscription and a deadline.
type ReminderSent struct {
	bun.BaseModel `bun:"table:funding_reminders_sent"`

	SubscriptionID int64     `bun:"subscription_id,pk"`
	DeadlineID     int64     `bun:"deadline_id,pk"`
	SentAt         time.Time `bun:"sent_at"`
}

// NewsSent records a new call told to a subscription.
type NewsSent struct {
	bun.BaseModel `bun:"table:funding_news_sent"`

	SubscriptionID int64     `bun:"subscription_id,pk"`
	CallID         int64     `bun:"call_id,pk"`
	SentAt         time.Time `bun:"sent_at"`
}

// BulletinSent records a week's bulletin queued for a subscription.
type BulletinSent struct {
	bun.BaseModel `bun:"table:funding_bulletins_sent"`

	SubscriptionID int64     `bun:"subscription_id,pk"`
	Week           string    `bun:"week,pk"`
	SentAt         time.Time `bun:"sent_at"`
}
