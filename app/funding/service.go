package funding

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/uptrace/bun"
	"golang.org/x/text/unicode/norm"

	"passhub/app/audit"
	"passhub/app/db"
	"passhub/app/event"
)

// Changed tells that calls were created, edited, published or unpublished: the search index and
// the alerts of new calls follow it. Published lists the calls that became public in the change.
type Changed struct {
	Calls     []int64 `json:"calls"`
	Published []int64 `json:"published,omitempty"`
}

// EventName names the event and its job.
func (Changed) EventName() string { return "funding.changed" }

// Actor is who changes calls.
type Actor struct {
	UserID int64
	Name   string
	IP     string
}

// Service owns the calls, their deadlines and the alerts.
type Service struct {
	db    *db.DB
	clock atomic.Pointer[func() time.Time]
	// Events records the calls' changes (Changed) in their transactions; nil records none.
	Events *event.Dispatcher
	// Notices, Mail and Jobs carry the alerts (Register and the composition root set them).
	Notices Notifier
	Mail    BulletinMailer
	Jobs    Enqueuer

	// results keeps the calendar's lists, the filters' choices and the rendered feeds, keyed by
	// the published calls' last change (and the day, for what depends on it): any change of a
	// call, on any instance, makes a new key, so nothing stale is ever served.
	results *expirable.LRU[string, any]
	// changes counts the changes committed by this instance, so that its own are seen at once
	// whatever the clock says (the others' through the version).
	changes atomic.Int64
	memo    atomic.Pointer[versionMemo]
}

// ResultsTTL bounds how long an unused result is kept; ResultsSize how many are.
const (
	ResultsTTL  = 10 * time.Minute
	ResultsSize = 64
)

// cached returns what key holds, or computes, keeps and returns it.
func cached[T any](s *Service, key string, compute func() (T, error)) (T, error) {
	if v, ok := s.results.Get(key); ok {
		return v.(T), nil
	}
	v, err := compute()
	if err == nil {
		s.results.Add(key, v)
	}
	return v, err
}

// VersionTTL is how long a version of the published calls is trusted before it is read again:
// a change made by another instance shows within it (this instance's own at once).
const VersionTTL = 2 * time.Second

type versionMemo struct {
	key     string
	latest  time.Time
	changes int64
	read    time.Time
}

// version names the published calls' state: their latest change, how many there are and this
// instance's changes; it is read again after VersionTTL or a change made here.
func (s *Service) version(ctx context.Context) (string, time.Time, error) {
	changes := s.changes.Load()
	if m := s.memo.Load(); m != nil && m.changes == changes && time.Since(m.read) < VersionTTL {
		return m.key, m.latest, nil
	}
	var row struct {
		Latest time.Time `bun:"latest"`
		Count  int       `bun:"n"`
	}
	err := s.db.NewSelect().Model((*Call)(nil)).ColumnExpr("MAX(updated_at) AS latest, COUNT(*) AS n").
		Where("published_at IS NOT NULL").Scan(ctx, &row)
	if err != nil {
		return "", time.Time{}, db.Map(err)
	}
	m := &versionMemo{key: strconv.FormatInt(row.Latest.UnixNano(), 36) + "." + strconv.Itoa(row.Count) + "." + strconv.FormatInt(changes, 10),
		latest: row.Latest, changes: changes, read: time.Now()}
	s.memo.Store(m)
	return m.key, m.latest, nil
}

// NewService returns the funding service.
func NewService(d *db.DB) *Service {
	s := &Service{db: d, results: expirable.NewLRU[string, any](ResultsSize, nil, ResultsTTL)}
	s.SetClock(func() time.Time { return time.Now().UTC() })
	return s
}

// SetClock replaces the service's clock (tests drive the reminders' days with it).
func (s *Service) SetClock(now func() time.Time) { s.clock.Store(&now) }

func (s *Service) now() time.Time { return (*s.clock.Load())() }

// Today is the date in Rome by the service's clock (YYYY-MM-DD).
func (s *Service) Today() string { return s.now().In(Rome).Format(DateLayout) }

// Invalid is a form or an import row refused: field → message id.
type Invalid map[string]string

func (e Invalid) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k+": "+e[k])
	}
	sort.Strings(keys)
	return "funding: invalid " + strings.Join(keys, ", ")
}

// Form is a call as an editor or an import row states it: text as typed.
type Form struct {
	Code, Title, Programme, Authority, Summary string
	Budget, CoFunding, Beneficiaries, URL      string
	OpensOn, ForcedStatus                      string
	Topics                                     string // separated by commas or semicolons
	Deadlines                                  []DeadlineForm
}

// DeadlineForm is one deadline as typed: date YYYY-MM-DD, time HH:MM or empty, label.
type DeadlineForm struct{ Label, Date, Time string }

// FormOf is the form that shows c for editing.
func FormOf(c *Call) Form {
	f := Form{Code: c.Code, Title: c.Title, Programme: c.Programme, Authority: c.Authority, Summary: c.Summary,
		Beneficiaries: c.Beneficiaries, URL: c.URL, OpensOn: c.OpensOn, ForcedStatus: c.ForcedStatus, Topics: strings.Join(c.Topics, ", ")}
	if c.Budget != nil {
		f.Budget = strconv.FormatInt(*c.Budget, 10)
	}
	if c.CoFunding != nil {
		f.CoFunding = strconv.Itoa(*c.CoFunding)
	}
	for _, d := range c.Deadlines {
		f.Deadlines = append(f.Deadlines, DeadlineForm{Label: d.Label, Date: d.DueOn, Time: d.DueTime})
	}
	return f
}

// Limits of the fields.
const (
	MaxTitle     = 300
	MaxProgramme = 120
	MaxText      = 20000
	MaxTopics    = 20
	MaxDeadlines = 10
)

var (
	codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,79}$`)
	timePattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

// validate turns f into a call (no id, slug nor dates), or says what is wrong with each field.
func validate(f Form) (*Call, Invalid) {
	bad := Invalid{}
	c := &Call{Code: strings.TrimSpace(f.Code), Title: oneLine(f.Title), Programme: oneLine(f.Programme), Authority: oneLine(f.Authority),
		Summary: strings.TrimSpace(f.Summary), Beneficiaries: strings.TrimSpace(f.Beneficiaries), URL: strings.TrimSpace(f.URL),
		OpensOn: strings.TrimSpace(f.OpensOn), ForcedStatus: strings.TrimSpace(f.ForcedStatus)}
	if c.Code != "" && !codePattern.MatchString(c.Code) {
		bad["code"] = "funding.error.code"
	}
	switch n := len([]rune(c.Title)); {
	case n == 0:
		bad["title"] = "funding.error.title"
	case n > MaxTitle:
		bad["title"] = "funding.error.too_long"
	}
	switch n := len([]rune(c.Programme)); {
	case n == 0:
		bad["programme"] = "funding.error.programme"
	case n > MaxProgramme:
		bad["programme"] = "funding.error.too_long"
	}
	if len([]rune(c.Authority)) > 200 {
		bad["authority"] = "funding.error.too_long"
	}
	if len(c.Summary) > MaxText {
		bad["summary"] = "funding.error.too_long"
	}
	if len(c.Beneficiaries) > MaxText {
		bad["beneficiaries"] = "funding.error.too_long"
	}
	if b := strings.TrimSpace(f.Budget); b != "" {
		n, err := strconv.ParseInt(strings.NewReplacer(".", "", " ", "", "€", "").Replace(b), 10, 64)
		if err != nil || n < 0 {
			bad["budget"] = "funding.error.budget"
		} else {
			c.Budget = &n
		}
	}
	if r := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f.CoFunding), "%")); r != "" {
		n, err := strconv.Atoi(r)
		if err != nil || n < 0 || n > 100 {
			bad["co_funding"] = "funding.error.co_funding"
		} else {
			c.CoFunding = &n
		}
	}
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(c.URL) > 500 {
			bad["url"] = "funding.error.url"
		}
	}
	if c.OpensOn != "" && !validDate(c.OpensOn) {
		bad["opens_on"] = "funding.error.date"
	}
	if c.ForcedStatus != "" && c.ForcedStatus != Forthcoming && c.ForcedStatus != Open && c.ForcedStatus != Closed {
		bad["forced_status"] = "funding.error.status"
	}
	c.Topics = SplitTopics(f.Topics)
	if len(c.Topics) > MaxTopics {
		bad["topics"] = "funding.error.topics"
	}
	for _, t := range c.Topics {
		if len([]rune(t)) > 80 {
			bad["topics"] = "funding.error.too_long"
		}
	}
	for _, d := range f.Deadlines {
		d := DeadlineForm{Label: oneLine(d.Label), Date: strings.TrimSpace(d.Date), Time: strings.TrimSpace(d.Time)}
		if d == (DeadlineForm{}) {
			continue
		}
		switch {
		case !validDate(d.Date):
			bad["deadlines"] = "funding.error.deadline_date"
		case d.Time != "" && !timePattern.MatchString(d.Time):
			bad["deadlines"] = "funding.error.deadline_time"
		case len([]rune(d.Label)) > 120:
			bad["deadlines"] = "funding.error.too_long"
		}
		c.Deadlines = append(c.Deadlines, Deadline{Position: len(c.Deadlines) + 1, Label: d.Label, DueOn: d.Date, DueTime: d.Time})
	}
	switch {
	case bad["deadlines"] != "":
	case len(c.Deadlines) == 0:
		bad["deadlines"] = "funding.error.deadlines"
	case len(c.Deadlines) > MaxDeadlines:
		bad["deadlines"] = "funding.error.too_many_deadlines"
	default:
		sort.SliceStable(c.Deadlines, func(i, j int) bool {
			return c.Deadlines[i].DueOn+c.Deadlines[i].DueTime < c.Deadlines[j].DueOn+c.Deadlines[j].DueTime
		})
		for i := range c.Deadlines {
			c.Deadlines[i].Position = i + 1
		}
		c.ClosesOn = c.Deadlines[len(c.Deadlines)-1].DueOn
		if c.OpensOn != "" && c.OpensOn > c.Deadlines[0].DueOn && bad["opens_on"] == "" {
			bad["opens_on"] = "funding.error.opens_after"
		}
	}
	if len(bad) > 0 {
		return nil, bad
	}
	return c, nil
}

func validDate(s string) bool {
	t, err := time.Parse(DateLayout, s)
	return err == nil && t.Year() >= 2000 && t.Year() <= 2100
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// SplitTopics splits a list of topics on commas, semicolons or bars, trimmed and without
// repeats (case-insensitive).
func SplitTopics(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		t = oneLine(t)
		if t == "" || seen[strings.ToLower(t)] {
			continue
		}
		seen[strings.ToLower(t)] = true
		out = append(out, t)
	}
	return out
}

// Slugify makes the URL name of a title: lower-case ASCII words joined by dashes.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(title)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= 80 {
			break
		}
	}
	if b.Len() == 0 {
		return "bando"
	}
	return strings.Trim(b.String(), "-")
}

// freeSlug returns base, or base-2, base-3... the first no call has.
func freeSlug(ctx context.Context, idb bun.IDB, base string) (string, error) {
	var taken []string
	if err := idb.NewSelect().Model((*Call)(nil)).Column("slug").Where("slug = ? OR slug LIKE ?", base, base+"-%").Scan(ctx, &taken); err != nil {
		return "", db.Map(err)
	}
	has := map[string]bool{}
	for _, t := range taken {
		has[t] = true
	}
	slug := base
	for n := 2; has[slug]; n++ {
		slug = base + "-" + strconv.Itoa(n)
	}
	return slug, nil
}

// Create stores a new call, unpublished.
func (s *Service) Create(ctx context.Context, who Actor, f Form) (*Call, error) {
	c, bad := validate(f)
	if bad != nil {
		return nil, bad
	}
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return s.insert(ctx, tx, who, c, false)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ErrCodeTaken is a code another call has.
var ErrCodeTaken = Invalid{"code": "funding.error.code_taken"}

func (s *Service) insert(ctx context.Context, tx bun.Tx, who Actor, c *Call, publish bool) error {
	if c.Code != "" {
		n, err := tx.NewSelect().Model((*Call)(nil)).Where("code = ?", c.Code).Count(ctx)
		if err != nil {
			return db.Map(err)
		}
		if n > 0 {
			return ErrCodeTaken
		}
	}
	slug, err := freeSlug(ctx, tx, Slugify(c.Title))
	if err != nil {
		return err
	}
	now := s.now()
	c.Slug, c.CreatedAt, c.UpdatedAt = slug, now, now
	if publish {
		c.PublishedAt = now
	}
	if _, err := tx.NewInsert().Model(c).Returning("id").Exec(ctx); err != nil {
		return db.Map(err)
	}
	if err := s.writeParts(ctx, tx, c); err != nil {
		return err
	}
	ev := Changed{Calls: []int64{c.ID}}
	if publish {
		ev.Published = ev.Calls
	}
	return s.record(ctx, tx, who, "funding.create", c, ev)
}

func (s *Service) record(ctx context.Context, tx bun.Tx, who Actor, action string, c *Call, ev Changed) error {
	db.AfterCommit(ctx, func(context.Context) { s.changes.Add(1) })
	if err := audit.Record(ctx, tx, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: action,
		ObjectType: "funding_call", ObjectID: c.ID, Detail: c.Title}); err != nil {
		return err
	}
	return s.Events.InTx(ctx, tx, ev)
}

// writeParts replaces the call's topics and deadlines. A deadline keeps its row (and so the
// reminders already sent for it) while its position stays.
func (s *Service) writeParts(ctx context.Context, tx bun.Tx, c *Call) error {
	if _, err := tx.NewDelete().Model((*Topic)(nil)).Where("call_id = ?", c.ID).Exec(ctx); err != nil {
		return db.Map(err)
	}
	for _, t := range c.Topics {
		if _, err := tx.NewInsert().Model(&Topic{CallID: c.ID, Topic: t}).Exec(ctx); err != nil {
			return db.Map(err)
		}
	}
	var old []Deadline
	if err := tx.NewSelect().Model(&old).Where("call_id = ?", c.ID).Scan(ctx); err != nil {
		return db.Map(err)
	}
	byPos := map[int]Deadline{}
	for _, d := range old {
		byPos[d.Position] = d
	}
	for i := range c.Deadlines {
		d := &c.Deadlines[i]
		d.CallID = c.ID
		if prev, ok := byPos[d.Position]; ok {
			d.ID = prev.ID
			delete(byPos, d.Position)
			if prev.DueOn != d.DueOn {
				// a deadline moved: its reminder is due again for the new date
				if _, err := tx.NewDelete().Model((*ReminderSent)(nil)).Where("deadline_id = ?", d.ID).Exec(ctx); err != nil {
					return db.Map(err)
				}
			}
			if _, err := tx.NewUpdate().Model(d).Column("label", "due_on", "due_time").WherePK().Exec(ctx); err != nil {
				return db.Map(err)
			}
			continue
		}
		if _, err := tx.NewInsert().Model(d).Returning("id").Exec(ctx); err != nil {
			return db.Map(err)
		}
	}
	for _, d := range byPos {
		if _, err := tx.NewDelete().Model((*Deadline)(nil)).Where("id = ?", d.ID).Exec(ctx); err != nil {
			return db.Map(err)
		}
	}
	return nil
}

// Update replaces an existing call's fields; its slug stays.
func (s *Service) Update(ctx context.Context, who Actor, id int64, f Form) (*Call, error) {
	c, bad := validate(f)
	if bad != nil {
		return nil, bad
	}
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return s.update(ctx, tx, who, id, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Service) update(ctx context.Context, tx bun.Tx, who Actor, id int64, c *Call) error {
	var cur Call
	if err := tx.NewSelect().Model(&cur).Where("id = ?", id).Scan(ctx); err != nil {
		return db.Map(err)
	}
	if c.Code != "" && c.Code != cur.Code {
		n, err := tx.NewSelect().Model((*Call)(nil)).Where("code = ?", c.Code).Where("id <> ?", id).Count(ctx)
		if err != nil {
			return db.Map(err)
		}
		if n > 0 {
			return ErrCodeTaken
		}
	}
	c.ID, c.Slug, c.CreatedAt, c.PublishedAt, c.UpdatedAt = cur.ID, cur.Slug, cur.CreatedAt, cur.PublishedAt, s.now()
	if _, err := tx.NewUpdate().Model(c).WherePK().ExcludeColumn("id", "slug", "created_at", "published_at").Exec(ctx); err != nil {
		return db.Map(err)
	}
	if err := s.writeParts(ctx, tx, c); err != nil {
		return err
	}
	return s.record(ctx, tx, who, "funding.update", c, Changed{Calls: []int64{c.ID}})
}

// SetPublished publishes or withdraws a call.
func (s *Service) SetPublished(ctx context.Context, who Actor, id int64, publish bool) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var c Call
		if err := tx.NewSelect().Model(&c).Where("id = ?", id).Scan(ctx); err != nil {
			return db.Map(err)
		}
		if c.Published() == publish {
			return nil
		}
		ev := Changed{Calls: []int64{id}}
		q := tx.NewUpdate().Model((*Call)(nil)).Where("id = ?", id).Set("updated_at = ?", s.now())
		action := "funding.unpublish"
		if publish {
			q, action, ev.Published = q.Set("published_at = ?", s.now()), "funding.publish", ev.Calls
		} else {
			q = q.Set("published_at = NULL")
		}
		if _, err := q.Exec(ctx); err != nil {
			return db.Map(err)
		}
		return s.record(ctx, tx, who, action, &c, ev)
	})
}

// Get returns a call with its topics and deadlines.
func (s *Service) Get(ctx context.Context, id int64) (*Call, error) {
	var c Call
	if err := s.db.NewSelect().Model(&c).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	return &c, s.fill(ctx, []*Call{&c})
}

// Published returns the published call of slug.
func (s *Service) Published(ctx context.Context, slug string) (*Call, error) {
	var c Call
	if err := s.db.NewSelect().Model(&c).Where("slug = ?", slug).Where("published_at IS NOT NULL").Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	return &c, s.fill(ctx, []*Call{&c})
}

// fill loads the topics and deadlines of calls.
func (s *Service) fill(ctx context.Context, calls []*Call) error {
	if len(calls) == 0 {
		return nil
	}
	ids := make([]int64, len(calls))
	by := map[int64]*Call{}
	for i, c := range calls {
		ids[i], by[c.ID] = c.ID, c
		c.Topics, c.Deadlines = nil, nil
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		var topics []Topic
		if err := s.db.NewSelect().Model(&topics).Where("call_id IN (?)", bun.In(chunk)).Order("call_id", "topic").Scan(ctx); err != nil {
			return db.Map(err)
		}
		for _, t := range topics {
			by[t.CallID].Topics = append(by[t.CallID].Topics, t.Topic)
		}
		var dls []Deadline
		if err := s.db.NewSelect().Model(&dls).Where("call_id IN (?)", bun.In(chunk)).Order("call_id", "position").Scan(ctx); err != nil {
			return db.Map(err)
		}
		for _, d := range dls {
			by[d.CallID].Deadlines = append(by[d.CallID].Deadlines, d)
		}
	}
	return nil
}

// All lists every call for the editors, the latest changed first.
func (s *Service) All(ctx context.Context, limit int) ([]*Call, error) {
	var calls []*Call
	if err := s.db.NewSelect().Model(&calls).Order("updated_at DESC", "id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	return calls, s.fill(ctx, calls)
}

// Filter selects the calendar's deadlines. Empty fields select everything.
type Filter struct {
	Programme, Topic, Status string
	From, To                 string // YYYY-MM-DD, inclusive
}

// Entry is one deadline of the calendar with its call.
type Entry struct {
	Deadline Deadline
	Call     *Call
}

// ErrFilter is a filter naming no programme, topic or status there is.
var ErrFilter = errors.New("funding: unknown filter")

// Calendar lists the deadlines of the published calls that f selects, by date, with their calls;
// limit bounds them (0: no bound). The lists are kept until a published call changes: callers
// must not modify them.
func (s *Service) Calendar(ctx context.Context, f Filter, limit int) ([]Entry, error) {
	v, _, err := s.version(ctx)
	if err != nil {
		return nil, err
	}
	key := strings.Join([]string{"calendar", v, s.Today(), f.Programme, f.Topic, f.Status, f.From, f.To, strconv.Itoa(limit)}, "\x00")
	return cached(s, key, func() ([]Entry, error) { return s.calendar(ctx, f, limit) })
}

func (s *Service) calendar(ctx context.Context, f Filter, limit int) ([]Entry, error) {
	var dls []Deadline
	q := s.db.NewSelect().Model(&dls).Join("JOIN funding_calls AS call ON call.id = dl.call_id").Where("call.published_at IS NOT NULL")
	q = s.narrow(q, f)
	if f.From != "" {
		q = q.Where("dl.due_on >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("dl.due_on <= ?", f.To)
	}
	q = q.Order("dl.due_on", "dl.due_time", "dl.call_id", "dl.position")
	if limit > 0 {
		q = q.Limit(int64(limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	ids := map[int64]bool{}
	var list []int64
	for _, d := range dls {
		if !ids[d.CallID] {
			ids[d.CallID] = true
			list = append(list, d.CallID)
		}
	}
	calls, err := s.callsByID(ctx, list)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(dls))
	for _, d := range dls {
		out = append(out, Entry{Deadline: d, Call: calls[d.CallID]})
	}
	return out, nil
}

// narrow applies the programme, topic and status of f to a query joined on the calls.
func (s *Service) narrow(q *bun.SelectQuery, f Filter) *bun.SelectQuery {
	if f.Programme != "" {
		q = q.Where("call.programme = ?", f.Programme)
	}
	if f.Topic != "" {
		q = q.Where("EXISTS (SELECT 1 FROM funding_call_topics AS t WHERE t.call_id = call.id AND t.topic = ?)", f.Topic)
	}
	today := s.Today()
	switch f.Status {
	case Forthcoming:
		q = q.Where("(call.forced_status = ? OR call.forced_status = '' AND call.opens_on > ?)", Forthcoming, today)
	case Closed:
		q = q.Where("(call.forced_status = ? OR call.forced_status = '' AND call.closes_on < ? AND (call.opens_on = '' OR call.opens_on <= ?))", Closed, today, today)
	case Open:
		q = q.Where("(call.forced_status = ? OR call.forced_status = '' AND (call.opens_on = '' OR call.opens_on <= ?) AND call.closes_on >= ?)", Open, today, today)
	}
	return q
}

func (s *Service) callsByID(ctx context.Context, ids []int64) (map[int64]*Call, error) {
	out := make(map[int64]*Call, len(ids))
	var all []*Call
	for start := 0; start < len(ids); start += 500 {
		var calls []*Call
		if err := s.db.NewSelect().Model(&calls).Where("id IN (?)", bun.In(ids[start:min(start+500, len(ids))])).Scan(ctx); err != nil {
			return nil, db.Map(err)
		}
		all = append(all, calls...)
	}
	if err := s.fill(ctx, all); err != nil {
		return nil, err
	}
	for _, c := range all {
		out[c.ID] = c
	}
	return out, nil
}

// Choices are the programmes and topics of the published calls, for the filters and the
// subscriptions.
type Choices struct{ Programmes, Topics []string }

// Has reports whether f names only programmes and topics there are, and a known status.
func (ch Choices) Has(f Filter) bool {
	return (f.Programme == "" || contains(ch.Programmes, f.Programme)) && (f.Topic == "" || contains(ch.Topics, f.Topic)) &&
		(f.Status == "" || contains(Statuses, f.Status))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Choices lists the programmes and topics of the published calls.
func (s *Service) Choices(ctx context.Context) (Choices, error) {
	v, _, err := s.version(ctx)
	if err != nil {
		return Choices{}, err
	}
	return cached(s, "choices\x00"+v, func() (Choices, error) { return s.choices(ctx) })
}

func (s *Service) choices(ctx context.Context) (Choices, error) {
	var ch Choices
	if err := s.db.NewSelect().Model((*Call)(nil)).ColumnExpr("DISTINCT programme").Where("published_at IS NOT NULL").
		Order("programme").Scan(ctx, &ch.Programmes); err != nil {
		return ch, db.Map(err)
	}
	if err := s.db.NewSelect().TableExpr("funding_call_topics AS t").ColumnExpr("DISTINCT t.topic").
		Join("JOIN funding_calls AS call ON call.id = t.call_id").Where("call.published_at IS NOT NULL").
		Order("t.topic").Scan(ctx, &ch.Topics); err != nil {
		return ch, db.Map(err)
	}
	return ch, nil
}

// Modified is when a published call last changed (zero when none is), as of the version.
func (s *Service) Modified(ctx context.Context) (time.Time, error) {
	_, latest, err := s.version(ctx)
	return latest, err
}

// PublishedIDs returns up to n ids of published calls after the id after, in order (the search
// index's rebuild).
func (s *Service) PublishedIDs(ctx context.Context, after int64, n int) ([]int64, error) {
	var ids []int64
	q := s.db.NewSelect().Model((*Call)(nil)).Column("id").Where("published_at IS NOT NULL").Where("id > ?", after).Order("id")
	if n > 0 {
		q = q.Limit(int64(n))
	}
	return ids, db.Map(q.Scan(ctx, &ids))
}
