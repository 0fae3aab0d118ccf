package kb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"passhub/app/cache"
	"passhub/app/content"
	"passhub/app/db"
)

// Article is a published article of the knowledge base, as the index and the related lists show it.
type Article struct {
	EntryID                        int64
	Slug, Title, Summary, Category string
	Kind                           string
	Tags, Related                  []string
	Updated                        time.Time
}

// URL is the article's public page.
func (a *Article) URL() string { return Route + "/" + a.Slug }

// Service owns the knowledge base: its published articles, read from content, and the votes.
type Service struct {
	db      *db.DB
	content *content.Service
	cache   *cache.Cache
	now     func() time.Time
}

// NewService returns the knowledge base's service, registered to check the articles' related
// slugs on every import and publication and to drop its cache whenever content changes.
func NewService(d *db.DB, cs *content.Service, cacheTTL time.Duration) *Service {
	s := &Service{db: d, content: cs, cache: cache.New(cacheTTL), now: time.Now}
	cs.AddSyncer(s)
	cs.OnChange(s.cache.Clear)
	return s
}

// SyncContent checks, inside the import or publication's transaction, that every published
// article's related slugs name other published articles: each one that does not is reported (an
// import goes on and reports it; the newsroom refuses the publication of the article with the
// message beside the field, rule "unknown_related").
func (s *Service) SyncContent(ctx context.Context, tx bun.IDB) ([]*content.FileError, error) {
	docs, entries, err := s.content.Documents(ctx, tx, Type)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, d := range docs {
		have[d.Slug] = true
	}
	var problems []*content.FileError
	for i, d := range docs {
		for _, slug := range related(d.Front) {
			if slug == d.Slug || !have[slug] {
				problems = append(problems, &content.FileError{Path: entries[i].SourcePath, Key: "related", Rule: "unknown_related",
					Msg: fmt.Sprintf("related %q is not another published faq article", slug)})
				break
			}
		}
	}
	return problems, nil
}

// related returns the related slugs of an article's front matter, trimmed.
func related(f content.Front) []string {
	list, _ := f.Value("related").([]string)
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// articleOf reads an article out of its published document.
func articleOf(e *content.Entry, d *content.Document) *Article {
	a := &Article{EntryID: e.ID, Slug: d.Slug, Title: d.Front.Title, Summary: d.Front.Summary,
		Category: d.Front.Text("category"), Kind: d.Front.Text("kind"), Related: related(d.Front)}
	for _, t := range d.Front.Tags {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
			a.Tags = append(a.Tags, t)
		}
	}
	a.Updated, _ = d.Front.Value("updated").(time.Time)
	return a
}

// Articles returns every published article, by category (in the order of Categories) then title.
func (s *Service) Articles(ctx context.Context) ([]*Article, error) {
	v, err := s.cache.Get("all", func() (any, error) {
		docs, entries, err := s.content.Documents(ctx, s.db, Type)
		if err != nil {
			return nil, err
		}
		out := make([]*Article, len(docs))
		for i, d := range docs {
			out[i] = articleOf(entries[i], d)
		}
		rank := map[string]int{}
		for i, c := range Categories {
			rank[c.Value] = i
		}
		sort.SliceStable(out, func(i, j int) bool {
			if rank[out[i].Category] != rank[out[j].Category] {
				return rank[out[i].Category] < rank[out[j].Category]
			}
			return strings.ToLower(out[i].Title) < strings.ToLower(out[j].Title)
		})
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]*Article), nil
}

// Article returns the published article at slug.
func (s *Service) Article(ctx context.Context, slug string) (*Article, error) {
	all, err := s.Articles(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range all {
		if a.Slug == slug {
			return a, nil
		}
	}
	return nil, fmt.Errorf("kb: article %q: %w", slug, db.ErrNotFound)
}

// MinRelated is how many related articles a page shows at least, when the category has them.
const MinRelated = 3

// Related returns the articles a's related list names (published ones, in its order) and, when
// they are fewer than MinRelated, others of a's category until there are MinRelated.
func (s *Service) Related(ctx context.Context, a *Article) ([]*Article, error) {
	all, err := s.Articles(ctx)
	if err != nil {
		return nil, err
	}
	bySlug := map[string]*Article{}
	for _, o := range all {
		bySlug[o.Slug] = o
	}
	seen := map[string]bool{a.Slug: true}
	var out []*Article
	for _, slug := range a.Related {
		if o := bySlug[slug]; o != nil && !seen[slug] {
			seen[slug] = true
			out = append(out, o)
		}
	}
	for _, o := range all {
		if len(out) >= MinRelated {
			break
		}
		if o.Category == a.Category && !seen[o.Slug] {
			seen[o.Slug] = true
			out = append(out, o)
		}
	}
	return out, nil
}

// PageSize is how many articles a page of the index lists.
const PageSize = 20

// Filter is what a visitor asks of the index.
type Filter struct {
	Category string // one of Categories, "" for all
	Tag      string // lower case, "" for all
	Page     int    // from 1
}

// Group is the articles of one category on a page of the index; Count is how many articles the
// category has under the filter, on every page.
type Group struct {
	Category, Message string
	Count             int
	Articles          []*Article
}

// TagCount is a tag with the number of articles that carry it.
type TagCount struct {
	Tag   string
	Count int
}

// Index is one page of the index.
type Index struct {
	Groups []Group
	// Categories are every category with its number of articles (the tag filter applied), for
	// the index's navigation.
	Categories  []Group
	Tags        []TagCount
	Total       int
	Page, Pages int
}

// Index returns the page of the index f asks for; a page past the last is ErrNotFound.
func (s *Service) Index(ctx context.Context, f Filter) (*Index, error) {
	all, err := s.Articles(ctx)
	if err != nil {
		return nil, err
	}
	if f.Page < 1 {
		f.Page = 1
	}
	counts, tags := map[string]int{}, map[string]int{}
	var match []*Article
	for _, a := range all {
		if f.Tag != "" && !hasTag(a, f.Tag) {
			continue
		}
		counts[a.Category]++
		if f.Category != "" && a.Category != f.Category {
			continue
		}
		match = append(match, a)
		for _, t := range a.Tags {
			tags[t]++
		}
	}
	ix := &Index{Total: len(match), Page: f.Page, Pages: (len(match) + PageSize - 1) / PageSize}
	if f.Page > 1 && f.Page > ix.Pages {
		return nil, fmt.Errorf("kb: page %d of %d: %w", f.Page, ix.Pages, db.ErrNotFound)
	}
	for _, c := range Categories {
		ix.Categories = append(ix.Categories, Group{Category: c.Value, Message: c.Message, Count: counts[c.Value]})
	}
	from, to := (f.Page-1)*PageSize, min(f.Page*PageSize, len(match))
	for _, a := range match[from:to] {
		if n := len(ix.Groups); n == 0 || ix.Groups[n-1].Category != a.Category {
			ix.Groups = append(ix.Groups, Group{Category: a.Category, Message: CategoryMessage(a.Category), Count: counts[a.Category]})
		}
		g := &ix.Groups[len(ix.Groups)-1]
		g.Articles = append(g.Articles, a)
	}
	for t, n := range tags {
		ix.Tags = append(ix.Tags, TagCount{t, n})
	}
	sort.Slice(ix.Tags, func(i, j int) bool { return ix.Tags[i].Tag < ix.Tags[j].Tag })
	return ix, nil
}

func hasTag(a *Article, tag string) bool {
	for _, t := range a.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Feedback is one vote on an article.
type Feedback struct {
	bun.BaseModel `bun:"table:kb_feedback"`

	ID      int64  `bun:"id,pk,autoincrement"`
	EntryID int64  `bun:"entry_id"`
	Useful  bool   `bun:"useful"`
	Comment string `bun:"comment"`
	// Voter is the SHA-256 of the browser's random cookie: it only keeps a second vote out.
	Voter     string    `bun:"voter"`
	Lang      string    `bun:"lang"`
	CreatedAt time.Time `bun:"created_at"`
}

// MaxComment is the longest comment, in characters.
const MaxComment = 500

// Errors of a vote.
var (
	// ErrChoice is a vote that is neither yes nor no.
	ErrChoice = errors.New("kb: the vote must be yes or no")
	// ErrLong is a comment longer than MaxComment characters.
	ErrLong = errors.New("kb: the comment is too long")
)

// Vote is what a reader sends: "si" or "no", and with a "no" what was missing.
type Vote struct {
	Choice  string
	Comment string
}

// Check validates the vote, returning ErrChoice or ErrLong.
func (v Vote) Check() error {
	if v.Choice != "si" && v.Choice != "no" {
		return ErrChoice
	}
	if utf8.RuneCountInString(strings.TrimSpace(v.Comment)) > MaxComment {
		return ErrLong
	}
	return nil
}

// VoterKey is what is stored of a browser's cookie: its SHA-256, in hex.
func VoterKey(cookie string) string {
	sum := sha256.Sum256([]byte(cookie))
	return hex.EncodeToString(sum[:])
}

// Record stores the vote v of the browser whose cookie is voter on the article a; a second vote
// of the same browser on the same article is not stored (stored false). A comment is kept only
// with a "no".
func (s *Service) Record(ctx context.Context, a *Article, voter, lang string, v Vote) (stored bool, err error) {
	if err := v.Check(); err != nil {
		return false, err
	}
	fb := &Feedback{EntryID: a.EntryID, Useful: v.Choice == "si", Voter: VoterKey(voter), Lang: lang, CreatedAt: s.now().UTC()}
	if !fb.Useful {
		fb.Comment = strings.TrimSpace(v.Comment)
	}
	err = s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewInsert().Model(fb).On("CONFLICT (entry_id, voter) DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("kb: record a vote: %w", db.Map(err))
		}
		n, _ := res.RowsAffected()
		stored = n == 1
		return nil
	})
	return stored, err
}

// Voted reports whether the browser whose cookie is voter has voted on the article a.
func (s *Service) Voted(ctx context.Context, a *Article, voter string) (bool, error) {
	if voter == "" {
		return false, nil
	}
	n, err := s.db.NewSelect().Model((*Feedback)(nil)).Where("entry_id = ?", a.EntryID).Where("voter = ?", VoterKey(voter)).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("kb: voted: %w", db.Map(err))
	}
	return n > 0, nil
}

// Figure is the usefulness of one article for the editors.
type Figure struct {
	Article  *Article
	Yes, No  int
	Comments []Feedback // its latest comments, newest first
}

// Share is the percentage of "yes" among the votes (0 without votes).
func (f Figure) Share() int {
	if f.Yes+f.No == 0 {
		return 0
	}
	return (f.Yes*100 + (f.Yes+f.No)/2) / (f.Yes + f.No)
}

// CommentsShown is how many of an article's latest comments the editors' page shows.
const CommentsShown = 5

// Figures returns the usefulness of every published article: the most voted first, then by title.
func (s *Service) Figures(ctx context.Context) ([]Figure, error) {
	all, err := s.Articles(ctx)
	if err != nil {
		return nil, err
	}
	var counts []struct {
		EntryID int64 `bun:"entry_id"`
		Useful  bool  `bun:"useful"`
		N       int   `bun:"n"`
	}
	if err := s.db.NewSelect().Model((*Feedback)(nil)).Column("entry_id", "useful").ColumnExpr("COUNT(*) AS n").
		Group("entry_id", "useful").Scan(ctx, &counts); err != nil {
		return nil, fmt.Errorf("kb: figures: %w", db.Map(err))
	}
	var comments []Feedback
	if err := s.db.NewSelect().Model(&comments).Where("comment <> ''").Order("created_at DESC", "id DESC").Limit(500).Scan(ctx); err != nil {
		return nil, fmt.Errorf("kb: comments: %w", db.Map(err))
	}
	byEntry := map[int64]*Figure{}
	out := make([]Figure, len(all))
	for i, a := range all {
		out[i].Article = a
		byEntry[a.EntryID] = &out[i]
	}
	for _, c := range counts {
		if f := byEntry[c.EntryID]; f != nil {
			if c.Useful {
				f.Yes += c.N
			} else {
				f.No += c.N
			}
		}
	}
	for _, c := range comments {
		if f := byEntry[c.EntryID]; f != nil && len(f.Comments) < CommentsShown {
			f.Comments = append(f.Comments, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Yes+out[i].No > out[j].Yes+out[j].No })
	return out, nil
}
