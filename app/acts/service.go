package acts

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"passhub/app/cache"
	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/kb"
)

// Template is a published act template.
type Template struct {
	EntryID                    int64
	Slug, Title, Summary, Act  string
	Version                    int
	Changes, Notes             string
	LegalBasis, Related        []string
	Fields                     []Field
	Body                       string
	Updated                    time.Time
	fieldsProblem, bodyProblem *Problem
}

// URL is the template's page.
func (t *Template) URL() string { return URL(t.Slug) }

// Field returns the field of key.
func (t *Template) Field(key string) (Field, bool) {
	for _, f := range t.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// MaxFields is how many fields a template may ask for.
const MaxFields = 60

// templateOf reads a template out of its published document.
func templateOf(e *content.Entry, d *content.Document) *Template {
	t := &Template{EntryID: e.ID, Slug: d.Slug, Title: d.Front.Title, Summary: d.Front.Summary, Act: d.Front.Text("act"),
		Changes: d.Front.Text("changes"), Notes: d.Front.Text("notes"), LegalBasis: d.Front.LegalBasis, Body: d.Body}
	t.Version, _ = d.Front.Value("version").(int)
	t.Updated, _ = d.Front.Value("updated").(time.Time)
	lines, _ := d.Front.Value("fields").([]string)
	fields, problem := Check(lines, d.Body)
	if problem == nil && len(fields) > MaxFields {
		problem = &Problem{"fields", "act_fields_many", strconv.Itoa(MaxFields)}
	}
	t.Fields, t.fieldsProblem = fields, problem
	list, _ := d.Front.Value("related").([]string)
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			t.Related = append(t.Related, s)
		}
	}
	return t
}

// Service owns the act templates, read from content, and the record of their uses.
type Service struct {
	db      *db.DB
	content *content.Service
	cache   *cache.Cache
	now     func() time.Time
}

// NewService returns the templates' service, registered to check every template at each import
// and publication and to drop its cache whenever content changes.
func NewService(d *db.DB, cs *content.Service, cacheTTL time.Duration) *Service {
	s := &Service{db: d, content: cs, cache: cache.New(cacheTTL), now: time.Now}
	cs.AddSyncer(s)
	cs.OnChange(s.cache.Clear)
	return s
}

// SyncContent checks, inside the import or publication's transaction, every published template:
// its fields readable and each used by the body, each {{key}} of the body a field, its related
// articles published knowledge-base articles, and its version not lower than one an ente already
// used (an import goes on and reports the problem; the newsroom refuses the publication with the
// message beside the field).
func (s *Service) SyncContent(ctx context.Context, tx bun.IDB) ([]*content.FileError, error) {
	docs, entries, err := s.content.Documents(ctx, tx, Type)
	if err != nil || len(docs) == 0 {
		return nil, err
	}
	articles, _, err := s.content.Documents(ctx, tx, kb.Type)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, a := range articles {
		have[a.Slug] = true
	}
	var problems []*content.FileError
	report := func(e *content.Entry, p Problem, msg string) {
		problems = append(problems, &content.FileError{Path: e.SourcePath, Key: p.Key, Rule: p.Rule, Detail: p.Detail, Msg: msg})
	}
	for i, d := range docs {
		t := templateOf(entries[i], d)
		if p := t.fieldsProblem; p != nil {
			report(entries[i], *p, fmt.Sprintf("%s: %s %q", p.Key, p.Rule, p.Detail))
			continue
		}
		if t.Version < 1 {
			report(entries[i], Problem{"version", "act_version", ""}, "version must be 1 or more")
			continue
		}
		if used, err := s.highestUsed(ctx, tx, t.EntryID); err != nil {
			return nil, err
		} else if t.Version < used {
			report(entries[i], Problem{"version", "act_version_lower", strconv.Itoa(used)}, fmt.Sprintf("version %d is lower than %d, already used", t.Version, used))
			continue
		}
		for _, slug := range t.Related {
			if !have[slug] {
				report(entries[i], Problem{"related", "unknown_related", slug}, fmt.Sprintf("related %q is not a published faq article", slug))
				break
			}
		}
	}
	return problems, nil
}

// highestUsed is the highest version of the template of entryID anyone used (0 for none).
func (s *Service) highestUsed(ctx context.Context, idb bun.IDB, entryID int64) (int, error) {
	var v int
	err := idb.NewSelect().TableExpr("act_uses").ColumnExpr("COALESCE(MAX(version), 0)").Where("entry_id = ?", entryID).Scan(ctx, &v)
	return v, db.Map(err)
}

// Templates returns every published template that can be filled, by kind of act (in the order of
// Kinds) then title.
func (s *Service) Templates(ctx context.Context) ([]*Template, error) {
	v, err := s.cache.Get("all", func() (any, error) {
		docs, entries, err := s.content.Documents(ctx, s.db, Type)
		if err != nil {
			return nil, err
		}
		var out []*Template
		for i, d := range docs {
			if t := templateOf(entries[i], d); t.fieldsProblem == nil {
				out = append(out, t)
			}
		}
		slices.SortStableFunc(out, func(a, b *Template) int {
			if ka, kb := slices.Index(Kinds, a.Act), slices.Index(Kinds, b.Act); ka != kb {
				return ka - kb
			}
			return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
		})
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]*Template), nil
}

// Template returns the published template at slug.
func (s *Service) Template(ctx context.Context, slug string) (*Template, error) {
	all, err := s.Templates(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range all {
		if t.Slug == slug {
			return t, nil
		}
	}
	return nil, fmt.Errorf("acts: template %q: %w", slug, db.ErrNotFound)
}

// fresh reads the published template at slug without the cache (the listeners, which may run
// before this process's cache hears of the publication).
func (s *Service) fresh(ctx context.Context, slug string) (*Template, error) {
	docs, entries, err := s.content.Documents(ctx, s.db, Type)
	if err != nil {
		return nil, err
	}
	for i, d := range docs {
		if d.Slug == slug {
			return templateOf(entries[i], d), nil
		}
	}
	return nil, fmt.Errorf("acts: template %q: %w", slug, db.ErrNotFound)
}

// Invalid maps a field's key to the message id of what is wrong with its answer.
type Invalid map[string]string

func (e Invalid) Error() string { return fmt.Sprintf("acts: %d answers refused", len(e)) }

var (
	numberPattern = regexp.MustCompile(`^[-+]?[0-9][0-9 .,']*$`)
	datePattern   = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// Answers checks what a person typed for t's fields (by key): every field not optional
// answered, none longer than its limit, dates as the date field sends them, numbers as digits
// with their separators. It returns the answers, trimmed, or Invalid naming each refused one.
func (t *Template) Answers(typed map[string]string) (map[string]string, error) {
	out := map[string]string{}
	bad := Invalid{}
	for _, f := range t.Fields {
		v := strings.TrimSpace(strings.ReplaceAll(typed[f.Key], "\r\n", "\n"))
		out[f.Key] = v
		switch {
		case v == "" && !f.Optional:
			bad[f.Key] = "acts.error.required"
		case v == "":
		case utf8.RuneCountInString(v) > f.MaxLen():
			bad[f.Key] = "acts.error.long?Max=" + strconv.Itoa(f.MaxLen())
		case f.Input != InputText && strings.Contains(v, "\n"):
			bad[f.Key] = "acts.error.line"
		case f.Input == InputDate && !validDate(v):
			bad[f.Key] = "acts.error.date"
		case f.Input == InputNumber && !numberPattern.MatchString(strings.TrimSpace(strings.TrimPrefix(v, "€"))):
			bad[f.Key] = "acts.error.number"
		}
	}
	if len(bad) > 0 {
		return out, bad
	}
	return out, nil
}

func validDate(v string) bool {
	if !datePattern.MatchString(v) {
		return false
	}
	_, err := time.Parse(time.DateOnly, v)
	return err == nil
}

// months are the Italian names of the months, for the dates written in an act.
var months = [...]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"}

// Written returns the answers as the act writes them: dates in words ("2 dicembre 2026").
func (t *Template) Written(answers map[string]string) map[string]string {
	out := make(map[string]string, len(answers))
	for k, v := range answers {
		out[k] = v
		if f, ok := t.Field(k); ok && f.Input == InputDate {
			if d, err := time.Parse(time.DateOnly, v); err == nil {
				out[k] = strconv.Itoa(d.Day()) + " " + months[d.Month()-1] + " " + strconv.Itoa(d.Year())
			}
		}
	}
	return out
}

// Draft is t filled with answers, as the writers lay it out.
func (t *Template) Draft(answers map[string]string) *Document {
	return Fill(t.Title, t.Body, t.Written(answers))
}

// Use is one act drafted from a template: by whom, for which ente, from which version.
type Use struct {
	bun.BaseModel `bun:"table:act_uses"`

	ID      int64  `bun:"id,pk,autoincrement"`
	EntryID int64  `bun:"entry_id"`
	Version int    `bun:"version"`
	EnteID  *int64 `bun:"ente_id"`
	UserID  int64  `bun:"user_id"`
	// Format is the document's ("docx", "odt"), or "" for answers saved without one.
	Format    string    `bun:"format"`
	Answers   string    `bun:"answers"`
	CreatedAt time.Time `bun:"created_at"`
}

// Values are the use's answers, by key (none when they were cleared by a later use).
func (u *Use) Values() map[string]string {
	out := map[string]string{}
	_ = json.Unmarshal([]byte(u.Answers), &out)
	return out
}

// Record stores a use of t by userID for enteID (0 for none) with its answers; the same person's
// earlier uses of t keep their version and time but lose their answers, the latest alone being
// kept to start again from.
func (s *Service) Record(ctx context.Context, t *Template, userID, enteID int64, format string, answers map[string]string) (*Use, error) {
	b, err := json.Marshal(answers)
	if err != nil {
		return nil, err
	}
	u := &Use{EntryID: t.EntryID, Version: t.Version, UserID: userID, Format: format, Answers: string(b), CreatedAt: s.now().UTC()}
	if enteID != 0 {
		u.EnteID = &enteID
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().TableExpr("act_uses").Set("answers = ''").Where("user_id = ?", userID).
			Where("entry_id = ?", t.EntryID).Where("answers <> ''").Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(u).Returning("id").Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("acts: record: %w", db.Map(err))
	}
	return u, nil
}

// Latest is userID's latest use of t (db.ErrNotFound when they never used it).
func (s *Service) Latest(ctx context.Context, t *Template, userID int64) (*Use, error) {
	u := &Use{}
	err := s.db.NewSelect().Model(u).Where("user_id = ?", userID).Where("entry_id = ?", t.EntryID).
		Order("created_at DESC", "id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, db.Map(err)
	}
	return u, nil
}

// Used is the latest version of a template a person or their enti used, and when.
type Used struct {
	Version int
	At      time.Time
}

// UsedBy returns, by template entry, the latest version userID or any of enti used.
func (s *Service) UsedBy(ctx context.Context, userID int64, enti []int64) (map[int64]Used, error) {
	var rows []struct {
		EntryID int64     `bun:"entry_id"`
		Version int       `bun:"version"`
		At      time.Time `bun:"at"`
	}
	q := s.db.NewSelect().TableExpr("act_uses").Column("entry_id").ColumnExpr("MAX(version) AS version").ColumnExpr("MAX(created_at) AS at").
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Where("user_id = ?", userID)
			if len(enti) > 0 {
				q = q.WhereOr("ente_id IN (?)", bun.In(enti))
			}
			return q
		}).Group("entry_id")
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("acts: used by: %w", db.Map(err))
	}
	out := make(map[int64]Used, len(rows))
	for _, r := range rows {
		out[r.EntryID] = Used{Version: r.Version, At: r.At}
	}
	return out, nil
}

// Recipients are the people to tell that version supersedes the versions of the template of
// entryID they used: whoever used an earlier one, and the enabled members of the approved enti
// an earlier one was used for.
func (s *Service) Recipients(ctx context.Context, entryID int64, version int) ([]int64, error) {
	var ids []int64
	older := func() *bun.SelectQuery {
		return s.db.NewSelect().TableExpr("act_uses").Where("entry_id = ?", entryID).Where("version < ?", version)
	}
	err := s.db.NewSelect().TableExpr("memberships AS m").ColumnExpr("m.user_id").
		Join("JOIN enti AS e ON e.id = m.ente_id").
		Where("m.enabled = ?", true).Where("e.status = ?", "approved").
		Where("m.ente_id IN (?)", older().Column("ente_id").Where("ente_id IS NOT NULL")).
		UnionAll(older().Column("user_id")).
		Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("acts: recipients: %w", db.Map(err))
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}
