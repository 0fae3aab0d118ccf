package crm

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"passhub/app/db"
	"passhub/app/ente"
	"passhub/app/event"
	"passhub/app/request"
	"passhub/app/territory"
)

// FieldErrors are a form's problems: field name → message id.
type FieldErrors map[string]string

func (f FieldErrors) Error() string { return fmt.Sprintf("crm: %d invalid fields", len(f)) }

// Notifier tells people something concerns them (app/notify).
type Notifier interface {
	Notify(ctx context.Context, users []int64, kind, subject, url string) error
}

// Service owns the records.
type Service struct {
	db        *db.DB
	territory *territory.Service
	enti      *ente.Service
	requests  *request.Service
	// Downloads are the comuni's library downloads shown on the timeline; nil shows none.
	Downloads Downloads
	// Events records the rows' changes (Changed) in their transactions.
	Events *event.Dispatcher
	// Notices carries the follow-up reminders (the bell and the daily digest); nil sends none.
	Notices Notifier
	now     func() time.Time
}

// NewService returns the CRM service.
func NewService(d *db.DB, t *territory.Service, enti *ente.Service, requests *request.Service) *Service {
	return &Service{db: d, territory: t, enti: enti, requests: requests, now: time.Now}
}

// SetClock sets the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Today is the current day, as the records' dates are stored.
func (s *Service) Today() time.Time { return territory.Day(s.now()) }

// RecordURL is the address of a comune's record.
func RecordURL(comuneID int64) string {
	return "/area-riservata/crm/" + strconv.FormatInt(comuneID, 10)
}

// Record is what a province knows of one comune it follows.
type Record struct {
	Comune       *ente.Ente
	Province     *ente.Ente
	Since        time.Time
	Contacts     []Contact
	Interactions []Interaction // newest first
	Agreements   []Agreement   // newest first
	DueCents     int64
	PaidCents    int64
}

// BalanceCents is what the comune still owes on all its agreements.
func (r *Record) BalanceCents() int64 { return r.DueCents - r.PaidCents }

// follower returns the province that follows the comune now; a comune nobody follows has no
// record (db.ErrNotFound).
func (s *Service) follower(ctx context.Context, comuneID int64) (int64, error) {
	p, ok, err := s.territory.FollowerOf(ctx, comuneID)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, db.ErrNotFound
	}
	return p, nil
}

// Record returns the record of a comune as the province that follows it now keeps it.
func (s *Service) Record(ctx context.Context, comuneID int64) (*Record, error) {
	pid, err := s.follower(ctx, comuneID)
	if err != nil {
		return nil, err
	}
	r := &Record{}
	if r.Comune, err = s.enti.Ente(ctx, comuneID); err != nil {
		return nil, err
	}
	if r.Province, err = s.enti.Ente(ctx, pid); err != nil {
		return nil, err
	}
	var since []time.Time
	if err := s.db.NewSelect().Model((*territory.Link)(nil)).Column("since").Where("province_id = ?", pid).
		Where("comune_id = ?", comuneID).Scan(ctx, &since); err != nil {
		return nil, db.Map(err)
	}
	if len(since) > 0 {
		r.Since = since[0]
	}
	where := func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("province_id = ?", pid).Where("comune_id = ?", comuneID)
	}
	if err := where(s.db.NewSelect().Model(&r.Contacts)).Order("name", "id").Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	if err := where(s.db.NewSelect().Model(&r.Interactions)).Order("happened_on DESC", "id DESC").Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	if err := where(s.db.NewSelect().Model(&r.Agreements)).Order("starts_on DESC", "id DESC").Scan(ctx); err != nil {
		return nil, db.Map(err)
	}
	for _, a := range r.Agreements {
		r.DueCents += a.DueCents
		r.PaidCents += a.PaidCents
	}
	return r, nil
}

// ContactForm is a contact as typed.
type ContactForm struct{ Name, Role, Phone, Email, PEC string }

func (f *ContactForm) validate() FieldErrors {
	errs := FieldErrors{}
	f.Name, f.Role, f.Phone = strings.TrimSpace(f.Name), strings.TrimSpace(f.Role), strings.TrimSpace(f.Phone)
	f.Email, f.PEC = strings.TrimSpace(f.Email), strings.TrimSpace(f.PEC)
	if f.Name == "" {
		errs["name"] = "crm.error.required"
	} else if utf8.RuneCountInString(f.Name) > 200 {
		errs["name"] = "crm.error.too_long"
	}
	if utf8.RuneCountInString(f.Role) > 200 {
		errs["role"] = "crm.error.too_long"
	}
	if f.Phone != "" && !validPhone(f.Phone) {
		errs["phone"] = "crm.error.phone"
	}
	for name, v := range map[string]string{"email": f.Email, "pec": f.PEC} {
		if v != "" && !validEmail(v) {
			errs[name] = "crm.error.email"
		}
	}
	if f.Phone == "" && f.Email == "" && f.PEC == "" && errs["phone"] == "" {
		errs["phone"] = "crm.error.reach"
	}
	return errs
}

func validPhone(p string) bool {
	digits := 0
	for i, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '.' || r == '-' || r == '/' || r == '(' || r == ')' || (r == '+' && i == 0):
		default:
			return false
		}
	}
	return digits >= 5 && digits <= 20
}

func validEmail(e string) bool {
	a, err := mail.ParseAddress(e)
	return err == nil && a.Address == e && len(e) <= 254 && strings.Contains(e[strings.LastIndex(e, "@"):], ".")
}

// insert stores a new row of a record with its event.
func (s *Service) insert(ctx context.Context, kind string, row any, id *int64, comuneID int64) error {
	return db.Map(s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
			return err
		}
		return s.Events.InTx(ctx, tx, Changed{Kind: kind, ID: *id, ComuneID: comuneID})
	}))
}

// change runs a change of one row of a record (an update or a delete, which must touch exactly
// one row, else db.ErrNotFound) with its event.
func (s *Service) change(ctx context.Context, kind string, id, comuneID int64, q func(tx bun.Tx) (int64, error)) error {
	return db.Map(s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		n, err := q(tx)
		if err != nil {
			return err
		}
		if n == 0 {
			return db.ErrNotFound
		}
		return s.Events.InTx(ctx, tx, Changed{Kind: kind, ID: id, ComuneID: comuneID})
	}))
}

// AddContact adds a person to the comune's record of the province that follows it.
func (s *Service) AddContact(ctx context.Context, who Actor, comuneID int64, f ContactForm) (*Contact, error) {
	if errs := f.validate(); len(errs) > 0 {
		return nil, errs
	}
	pid, err := s.follower(ctx, comuneID)
	if err != nil {
		return nil, err
	}
	c := &Contact{ProvinceID: pid, ComuneID: comuneID, Name: f.Name, Role: f.Role, Phone: f.Phone, Email: f.Email, PEC: f.PEC,
		CreatedBy: who.UserID, CreatedAt: s.now().UTC()}
	if err := s.insert(ctx, "contact", c, &c.ID, comuneID); err != nil {
		return nil, fmt.Errorf("crm: contact: %w", err)
	}
	return c, nil
}

// DeleteContact removes a contact of the record (db.ErrNotFound when it is not the record's).
func (s *Service) DeleteContact(ctx context.Context, comuneID, contactID int64) error {
	pid, err := s.follower(ctx, comuneID)
	if err != nil {
		return err
	}
	return s.change(ctx, "contact", contactID, comuneID, func(tx bun.Tx) (int64, error) {
		res, err := tx.NewDelete().Model((*Contact)(nil)).Where("id = ?", contactID).Where("province_id = ?", pid).
			Where("comune_id = ?", comuneID).Exec(ctx)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	})
}

// InteractionForm is an interaction as typed; dates are YYYY-MM-DD (or DD/MM/YYYY).
type InteractionForm struct{ Kind, HappenedOn, Summary, FollowUpOn string }

// ParseDate reads a date of a form: YYYY-MM-DD, as date inputs send it, or DD/MM/YYYY.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1990 && t.Year() <= 2100 {
			return t, true
		}
	}
	return time.Time{}, false
}

// LogInteraction records an interaction with the comune.
func (s *Service) LogInteraction(ctx context.Context, who Actor, comuneID int64, f InteractionForm) (*Interaction, error) {
	errs := FieldErrors{}
	known := false
	for _, k := range Kinds {
		known = known || k == f.Kind
	}
	if !known {
		errs["kind"] = "crm.error.kind"
	}
	on, ok := ParseDate(f.HappenedOn)
	switch {
	case strings.TrimSpace(f.HappenedOn) == "":
		errs["happened_on"] = "crm.error.required"
	case !ok:
		errs["happened_on"] = "crm.error.date"
	case on.After(s.Today()):
		errs["happened_on"] = "crm.error.future"
	}
	summary := strings.TrimSpace(f.Summary)
	if summary == "" {
		errs["summary"] = "crm.error.required"
	} else if utf8.RuneCountInString(summary) > 4000 {
		errs["summary"] = "crm.error.too_long"
	}
	var follow time.Time
	if strings.TrimSpace(f.FollowUpOn) != "" {
		if follow, ok = ParseDate(f.FollowUpOn); !ok {
			errs["follow_up_on"] = "crm.error.date"
		} else if !on.IsZero() && follow.Before(on) {
			errs["follow_up_on"] = "crm.error.follow_before"
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	pid, err := s.follower(ctx, comuneID)
	if err != nil {
		return nil, err
	}
	i := &Interaction{ProvinceID: pid, ComuneID: comuneID, Kind: f.Kind, HappenedOn: on, Summary: summary, FollowUpOn: follow,
		CreatedBy: who.UserID, CreatedByName: who.Name, CreatedAt: s.now().UTC()}
	if err := s.insert(ctx, "interaction", i, &i.ID, comuneID); err != nil {
		return nil, fmt.Errorf("crm: interaction: %w", err)
	}
	return i, nil
}

// FollowUpDone marks an interaction's follow-up done.
func (s *Service) FollowUpDone(ctx context.Context, comuneID, interactionID int64) error {
	pid, err := s.follower(ctx, comuneID)
	if err != nil {
		return err
	}
	return s.change(ctx, "interaction", interactionID, comuneID, func(tx bun.Tx) (int64, error) {
		res, err := tx.NewUpdate().Model((*Interaction)(nil)).Set("follow_up_done_at = ?", s.now().UTC()).
			Where("id = ?", interactionID).Where("province_id = ?", pid).Where("comune_id = ?", comuneID).
			Where("follow_up_on IS NOT NULL").Exec(ctx)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	})
}

// AgreementForm is an agreement as typed: amounts in euros ("1.234,56" or "1234.56").
type AgreementForm struct{ Title, StartsOn, EndsOn, Services, Due, Paid, Notes string }

// ParseEuros reads an amount in euros into cents: digits with an optional decimal comma (dots
// group thousands) or decimal point, at most two decimals, not negative.
func ParseEuros(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "€"))
	s = strings.ReplaceAll(s, " ", "")
	if s == "" {
		return 0, true
	}
	if strings.Contains(s, ",") {
		s = strings.ReplaceAll(s, ".", "")
		s = strings.Replace(s, ",", ".", 1)
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || len(whole) > 10 {
		return 0, false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil
}

// Euros writes cents as an amount in euros, Italian style: 1.234,56.
func Euros(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	out := fmt.Sprintf("%s,%02d", b.String(), cents%100)
	if neg {
		return "-" + out
	}
	return out
}

// AddAgreement records an agreement with the comune.
func (s *Service) AddAgreement(ctx context.Context, who Actor, comuneID int64, f AgreementForm) (*Agreement, error) {
	errs := FieldErrors{}
	title := strings.TrimSpace(f.Title)
	if title == "" {
		errs["title"] = "crm.error.required"
	} else if utf8.RuneCountInString(title) > 200 {
		errs["title"] = "crm.error.too_long"
	}
	start, ok := ParseDate(f.StartsOn)
	switch {
	case strings.TrimSpace(f.StartsOn) == "":
		errs["starts_on"] = "crm.error.required"
	case !ok:
		errs["starts_on"] = "crm.error.date"
	}
	var end time.Time
	if strings.TrimSpace(f.EndsOn) != "" {
		if end, ok = ParseDate(f.EndsOn); !ok {
			errs["ends_on"] = "crm.error.date"
		} else if !start.IsZero() && end.Before(start) {
			errs["ends_on"] = "crm.error.end_before"
		}
	}
	services := splitServices(f.Services)
	if len(services) == 0 {
		errs["services"] = "crm.error.services"
	} else if utf8.RuneCountInString(f.Services) > 2000 {
		errs["services"] = "crm.error.too_long"
	}
	due, okDue := ParseEuros(f.Due)
	if !okDue {
		errs["due"] = "crm.error.amount"
	}
	paid, okPaid := ParseEuros(f.Paid)
	if !okPaid {
		errs["paid"] = "crm.error.amount"
	}
	notes := strings.TrimSpace(f.Notes)
	if utf8.RuneCountInString(notes) > 4000 {
		errs["notes"] = "crm.error.too_long"
	}
	if len(errs) > 0 {
		return nil, errs
	}
	pid, err := s.follower(ctx, comuneID)
	if err != nil {
		return nil, err
	}
	a := &Agreement{ProvinceID: pid, ComuneID: comuneID, Title: title, StartsOn: start, EndsOn: end,
		Services: strings.Join(services, "\n"), DueCents: due, PaidCents: paid, Notes: notes, CreatedBy: who.UserID, CreatedAt: s.now().UTC()}
	if err := s.insert(ctx, "agreement", a, &a.ID, comuneID); err != nil {
		return nil, fmt.Errorf("crm: agreement: %w", err)
	}
	return a, nil
}

// Summary is one followed comune in the list.
type Summary struct {
	ComuneID        int64     `bun:"comune_id"`
	ComuneName      string    `bun:"comune_name"`
	ComuneProvince  string    `bun:"comune_province"`
	ProvinceID      int64     `bun:"province_id"`
	ProvinceName    string    `bun:"province_name"`
	Since           time.Time `bun:"since"`
	Contacts        int       `bun:"contacts"`
	LastInteraction time.Time `bun:"last_interaction,nullzero"`
	NextFollowUp    time.Time `bun:"next_follow_up,nullzero"`
	Agreements      int       `bun:"agreements"`
	DueCents        int64     `bun:"due_cents"`
	PaidCents       int64     `bun:"paid_cents"`
}

// BalanceCents is what the comune still owes.
func (s *Summary) BalanceCents() int64 { return s.DueCents - s.PaidCents }

// Filter chooses comuni of the list.
type Filter struct {
	// All lists every followed comune (admins); otherwise only Comuni (the subject's territory).
	All        bool
	Comuni     []int64
	ProvinceID int64  // only this province's comuni
	Name       string // words of the comune's name
	DueOnly    bool   // only comuni with a follow-up due today or earlier
}

// List returns the followed comuni the filter chooses, by name, with their figures.
func (s *Service) List(ctx context.Context, f Filter) ([]Summary, error) {
	if !f.All && len(f.Comuni) == 0 {
		return nil, nil
	}
	today := s.Today()
	var out []Summary
	mine := "x.province_id = link.province_id AND x.comune_id = link.comune_id"
	q := s.db.NewSelect().TableExpr("territory_comuni AS link").
		ColumnExpr("link.comune_id, c.name AS comune_name, c.province AS comune_province, link.province_id, p.name AS province_name, link.since").
		ColumnExpr("(SELECT COUNT(*) FROM crm_contacts AS x WHERE " + mine + ") AS contacts").
		ColumnExpr("(SELECT MAX(x.happened_on) FROM crm_interactions AS x WHERE " + mine + ") AS last_interaction").
		ColumnExpr("(SELECT MIN(x.follow_up_on) FROM crm_interactions AS x WHERE " + mine + " AND x.follow_up_done_at IS NULL AND x.follow_up_on IS NOT NULL) AS next_follow_up").
		ColumnExpr("(SELECT COUNT(*) FROM crm_agreements AS x WHERE " + mine + ") AS agreements").
		ColumnExpr("(SELECT COALESCE(SUM(x.due_cents), 0) FROM crm_agreements AS x WHERE " + mine + ") AS due_cents").
		ColumnExpr("(SELECT COALESCE(SUM(x.paid_cents), 0) FROM crm_agreements AS x WHERE " + mine + ") AS paid_cents").
		Join("JOIN enti AS c ON c.id = link.comune_id").Join("JOIN enti AS p ON p.id = link.province_id").
		Where("link.until IS NULL").OrderExpr("c.name, link.comune_id")
	if !f.All {
		q = q.Where("link.comune_id IN (?)", bun.In(f.Comuni))
	}
	if f.ProvinceID != 0 {
		q = q.Where("link.province_id = ?", f.ProvinceID)
	}
	for _, w := range strings.Fields(strings.ToLower(f.Name)) {
		q = q.Where("LOWER(c.name) LIKE ?", "%"+strings.NewReplacer("%", "", "_", "").Replace(w)+"%")
	}
	if f.DueOnly {
		q = q.Where("EXISTS (SELECT 1 FROM crm_interactions AS x WHERE "+mine+" AND x.follow_up_done_at IS NULL AND x.follow_up_on <= ?)", today)
	}
	if err := q.Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("crm: list: %w", db.Map(err))
	}
	return out, nil
}

// DueFollowUps returns the open follow-ups due by today of the comuni given (a subject's
// territory), on the record of the province that follows each now, oldest first.
func (s *Service) DueFollowUps(ctx context.Context, comuni []int64) ([]Interaction, error) {
	if len(comuni) == 0 {
		return nil, nil
	}
	var out []Interaction
	err := s.dueQuery(s.Today()).Model(&out).Where("interaction.comune_id IN (?)", bun.In(comuni)).Scan(ctx)
	return out, db.Map(err)
}

func (s *Service) dueQuery(today time.Time) *bun.SelectQuery {
	return s.db.NewSelect().ColumnExpr("interaction.*").ColumnExpr("c.name AS comune_name").
		Join("JOIN territory_comuni AS link ON link.province_id = interaction.province_id AND link.comune_id = interaction.comune_id AND link.until IS NULL").
		Join("JOIN enti AS c ON c.id = interaction.comune_id").
		Where("interaction.follow_up_done_at IS NULL").Where("interaction.follow_up_on IS NOT NULL").
		Where("interaction.follow_up_on <= ?", today).OrderExpr("interaction.follow_up_on, c.name, interaction.id")
}

// KindFollowUp is the notification of a follow-up due.
const KindFollowUp = "crm.followup"

// NotifyDue tells the enabled members of each province of its follow-ups due by today, once per
// follow-up and date (a rerun, or the next day's run, adds nothing): the bell, and the daily
// digest by the "crm" topic's preference. It returns how many follow-ups it told of.
func (s *Service) NotifyDue(ctx context.Context) (int, error) {
	if s.Notices == nil {
		return 0, nil
	}
	var due []Interaction
	if err := s.dueQuery(s.Today()).Model(&due).Scan(ctx); err != nil {
		return 0, fmt.Errorf("crm: follow-ups: %w", db.Map(err))
	}
	members := map[int64][]int64{}
	n := 0
	var failed error
	for _, i := range due {
		users, ok := members[i.ProvinceID]
		if !ok {
			ms, err := s.enti.Members(ctx, i.ProvinceID)
			if err != nil {
				return n, err
			}
			for _, m := range ms {
				if m.Enabled {
					users = append(users, m.UserID)
				}
			}
			members[i.ProvinceID] = users
		}
		key := "crm.followup:" + strconv.FormatInt(i.ID, 10) + ":" + i.FollowUpOn.Format("2006-01-02")
		subject := i.ComuneName + " — " + firstLine(i.Summary, 80)
		if err := s.Notices.Notify(withEventKey(ctx, key), users, KindFollowUp, subject, RecordURL(i.ComuneID)+"#interazione-"+strconv.FormatInt(i.ID, 10)); err != nil {
			failed = errors.Join(failed, err)
			continue
		}
		n++
	}
	return n, failed
}

func firstLine(s string, max int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		return strings.TrimSpace(string(r[:max-1])) + "…"
	}
	return s
}

// Timeline is one dated fact of a comune's record.
type Timeline struct {
	At     time.Time
	Kind   string // interaction, agreement_start, agreement_end, request_filed, request_concluded, download
	Sub    string // the interaction's kind, the request's state
	Title  string
	Detail string
	Link   string // the request's page, when the viewer may open it
}

// MayOpen tells whether the viewer may open a request (access.Subject.Can(ViewRequest)).
type MayOpen func(r *request.Request) bool

// maxRequests bounds the requests the timeline shows.
const maxRequests = 50

// TimelineOf merges the record's interactions and agreements with the comune's assistance
// requests (submitted ones: drafts belong to the comune alone) and its library downloads, newest
// first. A request's title and state are shown because the province follows the comune; its link
// only when open says the viewer may open it.
func (s *Service) TimelineOf(ctx context.Context, r *Record, open MayOpen) ([]Timeline, error) {
	var out []Timeline
	for _, i := range r.Interactions {
		out = append(out, Timeline{At: i.HappenedOn, Kind: "interaction", Sub: i.Kind, Title: firstLine(i.Summary, 120), Detail: i.CreatedByName})
	}
	for _, a := range r.Agreements {
		out = append(out, Timeline{At: a.StartsOn, Kind: "agreement_start", Title: a.Title})
		if !a.EndsOn.IsZero() {
			out = append(out, Timeline{At: a.EndsOn, Kind: "agreement_end", Title: a.Title})
		}
	}
	if s.requests != nil {
		reqs, _, err := s.requests.List(ctx, request.Filter{EnteIDs: []int64{r.Comune.ID}, Submitted: true, Limit: maxRequests})
		if err != nil {
			return nil, err
		}
		for _, q := range reqs {
			full, err := s.requests.Get(ctx, q.ID) // with its experts, for the access check
			if err != nil {
				return nil, err
			}
			link := ""
			if open != nil && open(full) {
				link = "/area-riservata/richieste/" + strconv.FormatInt(q.ID, 10)
			}
			out = append(out, Timeline{At: q.SubmittedAt, Kind: "request_filed", Sub: string(q.State), Title: q.Title, Link: link})
			if q.State == request.Concluded || q.State == request.Archived {
				events, err := s.requests.Timeline(ctx, q.ID)
				if err != nil {
					return nil, err
				}
				for _, e := range events {
					if e.Kind == "concluded" {
						out = append(out, Timeline{At: e.At, Kind: "request_concluded", Sub: string(q.State), Title: q.Title, Link: link})
					}
				}
			}
		}
	}
	if s.Downloads != nil {
		ds, err := s.Downloads.DownloadsOf(ctx, r.Comune.ID)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			out = append(out, Timeline{At: d.At, Kind: "download", Title: d.Title, Detail: d.Version})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, nil
}

// Province is a province that follows comuni, for the admins' filter.
type Province struct {
	ID   int64  `bun:"id"`
	Name string `bun:"name"`
}

// Provinces lists the provinces that follow at least one comune now, by name.
func (s *Service) Provinces(ctx context.Context) ([]Province, error) {
	var out []Province
	err := s.db.NewSelect().TableExpr("enti AS p").ColumnExpr("p.id, p.name").
		Where("EXISTS (SELECT 1 FROM territory_comuni AS link WHERE link.province_id = p.id AND link.until IS NULL)").
		OrderExpr("p.name").Scan(ctx, &out)
	return out, db.Map(err)
}
