// Package meilisearch is the search engine "meilisearch": documents kept in an index of a
// Meilisearch server (1.10 or later), with Settings "url", "key" and "index" (default "passhub").
// Init applies the index settings; every write waits for its task. Access and facet filters are
// filter expressions whose values are always quoted and escaped.
package meilisearch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	meili "github.com/meilisearch/meilisearch-go"

	"passhub/app/search"
)

func init() {
	search.Register("meilisearch", func(o search.Options) (search.Engine, error) {
		return New(o.Settings["url"], o.Settings["key"], o.Settings["index"])
	})
}

// DefaultIndex is the index uid used when Settings["index"] is empty.
const DefaultIndex = "passhub"

// Highlight tags asked of the server: private-use characters, removed from indexed text, so that
// after escaping the text they can only stand for the server's marks.
const (
	preTag  = "\uE000"
	postTag = "\uE001"
)

const (
	writeBatch   = 5000
	pollInterval = 50 * time.Millisecond
	cropWords    = 24
	maxTotalHits = 20000 // Total is exact up to this
	maxFacetVals = 100
)

// Engine is one Meilisearch index.
type Engine struct {
	client meili.ServiceManager
	uid    string
	index  meili.IndexManager
}

var validUID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,400}$`)

// New returns an engine for the index uid (DefaultIndex when "") of the server at url.
func New(url, key, uid string) (*Engine, error) {
	if url == "" {
		return nil, errors.New("meilisearch: no url")
	}
	if uid == "" {
		uid = DefaultIndex
	}
	if !validUID.MatchString(uid) {
		return nil, fmt.Errorf("meilisearch: invalid index uid %q", uid)
	}
	var opts []meili.Option
	if key != "" {
		opts = append(opts, meili.WithAPIKey(key))
	}
	c := meili.New(url, opts...)
	return &Engine{client: c, uid: uid, index: c.Index(uid)}, nil
}

// Settings are the index settings Init applies.
func Settings() *meili.Settings {
	return &meili.Settings{
		SearchableAttributes: []string{"title", "body", "keywords"},
		DisplayedAttributes:  []string{"id", "type", "title", "body", "url"},
		FilterableAttributes: []string{"type", "task_force", "procedure", "year", "state", "ente", "experts", "public", "private",
			"doc_kind", "proc_type", "threshold", "basis", "status", "author", "audience"},
		SortableAttributes:  []string{"updated"},
		LocalizedAttributes: []*meili.LocalizedAttributes{{Locales: []string{"ita"}, AttributePatterns: []string{"title", "body"}}},
		TypoTolerance: &meili.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meili.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
			DisableOnWords:      []string{},
			DisableOnAttributes: []string{},
		},
		Faceting:   &meili.Faceting{MaxValuesPerFacet: maxFacetVals, SortFacetValuesBy: map[string]meili.SortFacetType{"*": meili.SortFacetTypeCount}},
		Pagination: &meili.Pagination{MaxTotalHits: maxTotalHits},
	}
}

// Init creates the index when missing and applies Settings.
func (e *Engine) Init(ctx context.Context) error {
	if _, err := e.client.GetIndex(ctx, e.uid); err != nil {
		var me *meili.Error
		if !errors.As(err, &me) || !me.HasCode(meili.APIErrCodeIndexNotFound) {
			return fmt.Errorf("meilisearch: %w", err)
		}
		info, err := e.client.CreateIndex(ctx, &meili.IndexConfig{Uid: e.uid, PrimaryKey: "id"})
		if err != nil {
			return fmt.Errorf("meilisearch: create index: %w", err)
		}
		if err := e.wait(ctx, info); err != nil && !strings.Contains(err.Error(), string(meili.APIErrCodeIndexAlreadyExists)) {
			return err
		}
	}
	info, err := e.index.UpdateSettings(ctx, Settings())
	if err != nil {
		return fmt.Errorf("meilisearch: settings: %w", err)
	}
	return e.wait(ctx, info)
}

// wait blocks until the task is done and returns its error.
func (e *Engine) wait(ctx context.Context, info *meili.TaskInfo) error {
	t, err := e.client.WaitForTask(ctx, info.TaskUID, pollInterval)
	if err != nil {
		return fmt.Errorf("meilisearch: task %d: %w", info.TaskUID, err)
	}
	if t.Status != meili.TaskStatusSucceeded {
		return fmt.Errorf("meilisearch: task %d %s: %s (%s)", info.TaskUID, t.Status, t.Error.Message, t.Error.Code)
	}
	return nil
}

// Ping checks that the server is available.
func (e *Engine) Ping(ctx context.Context) error {
	h, err := e.client.Health(ctx)
	if err != nil {
		return fmt.Errorf("meilisearch: %w", err)
	}
	if h.Status != "available" {
		return fmt.Errorf("meilisearch: server %s", h.Status)
	}
	return nil
}

// Close releases the client's connections.
func (e *Engine) Close() error {
	e.client.Close()
	return nil
}

// document is a Doc as stored in Meilisearch.
type document struct {
	ID        string   `json:"id"`
	Type      string   `json:"type"`
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	URL       string   `json:"url,omitempty"`
	TaskForce string   `json:"task_force,omitempty"`
	Procedure string   `json:"procedure,omitempty"`
	Year      string   `json:"year,omitempty"`
	State     string   `json:"state,omitempty"`
	Ente      string   `json:"ente,omitempty"`
	Experts   []string `json:"experts,omitempty"`
	Keywords  []string `json:"keywords,omitempty"`
	Public    bool     `json:"public"`
	Private   bool     `json:"private,omitempty"`
	Audience  string   `json:"audience,omitempty"`
	DocKind   string   `json:"doc_kind,omitempty"`
	ProcType  string   `json:"proc_type,omitempty"`
	Threshold string   `json:"threshold,omitempty"`
	Basis     []string `json:"basis,omitempty"`
	Status    string   `json:"status,omitempty"`
	Author    string   `json:"author,omitempty"`
	Updated   int64    `json:"updated"`
}

var validID = regexp.MustCompile(`^[A-Za-z0-9_]+:[A-Za-z0-9_-]+$`)

// toMeili maps "request:5" to "request-5": Meilisearch ids cannot hold ':'.
func toMeili(id string) (string, error) {
	if !validID.MatchString(id) || len(id) > 511 {
		return "", fmt.Errorf("meilisearch: invalid id %q", id)
	}
	return strings.Replace(id, ":", "-", 1), nil
}

// fromMeili maps "request-5" back to "request:5".
func fromMeili(id string) string { return strings.Replace(id, "-", ":", 1) }

// clean drops the characters reserved for highlight tags.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.ContainsAny(s, preTag+postTag) {
		s = strings.NewReplacer(preTag, "", postTag, "").Replace(s)
	}
	return s
}

func toDocument(d search.Doc) (document, error) {
	id, err := toMeili(d.ID)
	if err != nil {
		return document{}, err
	}
	out := document{
		ID: id, Type: d.Type, Title: clean(d.Title), Body: clean(d.Body), URL: d.URL,
		TaskForce: d.TaskForce, Procedure: d.Procedure, Year: d.Facet("year"), State: d.State, Ente: d.Ente,
		Public: d.Public, Private: d.Private, Updated: d.Updated.Unix(), Keywords: d.Keywords,
		Audience: d.Audience, DocKind: d.DocKind, ProcType: d.ProcType, Threshold: d.Threshold, Basis: d.FacetValues("basis"),
		Status: d.Status, Author: d.Author,
	}
	for _, x := range d.Experts {
		if x != "" {
			out.Experts = append(out.Experts, x)
		}
	}
	if d.Updated.IsZero() {
		out.Updated = 0
	}
	return out, nil
}

// Index adds or replaces docs.
func (e *Engine) Index(ctx context.Context, docs ...search.Doc) error {
	var tasks []*meili.TaskInfo
	pk := "id"
	for len(docs) > 0 {
		n := min(len(docs), writeBatch)
		batch := make([]document, 0, n)
		for _, d := range docs[:n] {
			md, err := toDocument(d)
			if err != nil {
				return err
			}
			batch = append(batch, md)
		}
		info, err := e.index.AddDocuments(ctx, batch, &meili.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			return fmt.Errorf("meilisearch: add documents: %w", err)
		}
		tasks = append(tasks, info)
		docs = docs[n:]
	}
	for _, t := range tasks {
		if err := e.wait(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes docs by id; unknown ids are ignored.
func (e *Engine) Delete(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	mids := make([]string, 0, len(ids))
	for _, id := range ids {
		mid, err := toMeili(id)
		if err != nil {
			continue // never indexed
		}
		mids = append(mids, mid)
	}
	if len(mids) == 0 {
		return nil
	}
	info, err := e.index.DeleteDocuments(ctx, mids, nil)
	if err != nil {
		return fmt.Errorf("meilisearch: delete: %w", err)
	}
	return e.wait(ctx, info)
}

// IDs lists every indexed id.
func (e *Engine) IDs(ctx context.Context) ([]string, error) {
	var ids []string
	const page = 1000
	for offset := int64(0); ; offset += page {
		var res meili.DocumentsResult
		if err := e.index.GetDocuments(ctx, &meili.DocumentsQuery{Offset: offset, Limit: page, Fields: []string{"id"}}, &res); err != nil {
			return nil, fmt.Errorf("meilisearch: documents: %w", err)
		}
		for _, h := range res.Results {
			var d struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(h["id"], &d.ID); err != nil {
				return nil, fmt.Errorf("meilisearch: document id: %w", err)
			}
			ids = append(ids, fromMeili(d.ID))
		}
		if len(res.Results) < page || offset+page >= res.Total {
			return ids, nil
		}
	}
}

// Clear removes every document; the index and its settings stay.
func (e *Engine) Clear(ctx context.Context) error {
	info, err := e.index.DeleteAllDocuments(ctx, nil)
	if err != nil {
		return fmt.Errorf("meilisearch: clear: %w", err)
	}
	return e.wait(ctx, info)
}

// quote returns v as a double-quoted filter value, escaping backslashes and quotes.
func quote(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

func in(field string, vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = quote(v)
	}
	return field + " IN [" + strings.Join(q, ", ") + "]"
}

// Filter builds the filter expression for the access and the facet filters: every value is
// quoted, every key is one of search.FacetKeys (others are an error). "" means no filter.
func Filter(filters map[string][]string, a search.Access) (string, error) {
	var and []string
	// Public, or one of the subject's enti, or a staff clause, never on a private doc (a draft).
	or := []string{"public = true"}
	if vs := nonEmpty(a.Entes); len(vs) > 0 {
		or = append(or, in("ente", vs))
	}
	var staff []string
	if vs := nonEmpty(a.TaskForces); len(vs) > 0 {
		staff = append(staff, "("+in("task_force", vs)+" AND public = false)")
	}
	if a.User != "" {
		staff = append(staff, "experts = "+quote(a.User))
	}
	switch {
	case a.All:
		or = append(or, "NOT private = true")
	case len(staff) > 0:
		or = append(or, "(("+strings.Join(staff, " OR ")+") AND NOT private = true)")
	}
	// the items open to a whole audience (the tender library)
	switch {
	case a.Writers:
		or = append(or, in("audience", []string{search.AudienceMembers, search.AudienceWriters}))
	case a.Members:
		or = append(or, "audience = "+quote(search.AudienceMembers))
	}
	and = append(and, "("+strings.Join(or, " OR ")+")")
	for k := range filters {
		if !search.IsFacetKey(k) {
			return "", fmt.Errorf("meilisearch: unknown filter %q", k)
		}
	}
	for _, k := range search.FacetKeys {
		if vs := nonEmpty(filters[k]); len(vs) > 0 {
			and = append(and, in(k, vs))
		}
	}
	return strings.Join(and, " AND "), nil
}

func nonEmpty(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// queryText rebuilds the parsed text for Meilisearch: phrases quoted, exclusions with '-', the
// terms last. A trailing space keeps the server from treating the last word as a prefix.
func queryText(pl search.Plan) string {
	var parts []string
	for _, p := range pl.Phrases {
		parts = append(parts, `"`+p+`"`)
	}
	for _, x := range pl.Excluded {
		parts = append(parts, "-"+x)
	}
	parts = append(parts, pl.Refs...)
	parts = append(parts, pl.Terms...)
	s := strings.Join(parts, " ")
	if !pl.Prefix && s != "" {
		s += " "
	}
	return s
}

// Search runs q with every word required (matching strategy "all"), Meilisearch's typo
// tolerance and prefix search, and the access and facet filters.
func (e *Engine) Search(ctx context.Context, q search.Query) (search.Result, error) {
	pl, err := search.Prepare(q)
	if errors.Is(err, search.ErrEmpty) {
		return search.Result{}, nil
	}
	if err != nil {
		return search.Result{}, err
	}
	filter, err := Filter(pl.Filters, q.Access)
	if err != nil {
		return search.Result{}, err
	}
	perPage := int64(pl.PerPage)
	req := &meili.SearchRequest{
		Page:                  int64(pl.Page),
		HitsPerPage:           &perPage,
		AttributesToRetrieve:  []string{"id", "type"},
		AttributesToHighlight: []string{"title", "body"},
		AttributesToCrop:      []string{"body"},
		CropLength:            cropWords,
		CropMarker:            "…",
		HighlightPreTag:       preTag,
		HighlightPostTag:      postTag,
		MatchingStrategy:      meili.All,
		ShowRankingScore:      true,
		Locales:               []string{"ita"},
	}
	if filter != "" {
		req.Filter = filter
	}
	if pl.Listing {
		req.Sort = []string{"updated:desc"}
	}
	if q.Facets {
		req.Facets = search.FacetKeys
	}
	res, err := e.index.Search(ctx, queryText(pl), req)
	if err != nil {
		return search.Result{}, fmt.Errorf("meilisearch: search: %w", err)
	}
	partial := false
	if res.TotalHits == 0 && !pl.Listing && len(pl.Terms)+len(pl.Phrases)+len(pl.Refs) > 1 {
		// no document has every word: the best partial matches, rarest words kept longest
		req.MatchingStrategy = meili.Frequency
		if res, err = e.index.Search(ctx, queryText(pl), req); err != nil {
			return search.Result{}, fmt.Errorf("meilisearch: search: %w", err)
		}
		partial = res.TotalHits > 0
	}
	out, err := result(res, q.Facets, pl.Refs)
	out.Partial = partial
	return out, err
}

// SetSynonyms replaces the index's synonyms: Meilisearch expands them itself, so the words of
// Query.Synonyms need not be sent with each query.
func (e *Engine) SetSynonyms(ctx context.Context, syn map[string][]string) error {
	info, err := e.index.UpdateSynonyms(ctx, &syn)
	if err != nil {
		return fmt.Errorf("meilisearch: synonyms: %w", err)
	}
	return e.wait(ctx, info)
}

type hit struct {
	ID        string  `json:"id"`
	Type      string  `json:"type"`
	Score     float64 `json:"_rankingScore"`
	Formatted struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	} `json:"_formatted"`
}

func result(res *meili.SearchResponse, facets bool, refs []string) (search.Result, error) {
	out := search.Result{Total: int(res.TotalHits), Hits: make([]search.Hit, 0, len(res.Hits))}
	for _, raw := range res.Hits {
		var h hit
		if err := raw.Decode(&h); err != nil {
			return search.Result{}, fmt.Errorf("meilisearch: hit: %w", err)
		}
		out.Hits = append(out.Hits, search.Hit{ID: fromMeili(h.ID), Type: h.Type, Score: h.Score,
			Snippet: snippet(h.Formatted.Title, h.Formatted.Body, refs)})
	}
	if facets {
		var dist map[string]map[string]int
		if len(res.FacetDistribution) > 0 {
			if err := json.Unmarshal(res.FacetDistribution, &dist); err != nil {
				return search.Result{}, fmt.Errorf("meilisearch: facets: %w", err)
			}
		}
		out.Facets = map[string][]search.FacetCount{}
		for _, k := range search.FacetKeys {
			var fc []search.FacetCount
			for v, n := range dist[k] {
				if n > 0 && v != "" {
					fc = append(fc, search.FacetCount{Value: v, Count: n})
				}
			}
			if len(fc) > 0 {
				search.SortFacets(fc)
				out.Facets[k] = fc
			}
		}
	}
	return out, nil
}

// snippet is the escaped, marked body (or the title when only the title matched).
func snippet(title, body string, refs []string) string {
	plain, spans := search.Unmark(body, preTag, postTag)
	spans = append(spans, search.LegalSpans(plain, refs)...) // references are matched through their canonical word
	if len(spans) == 0 {
		if t, ts := search.Unmark(title, preTag, postTag); len(ts) > 0 || plain == "" {
			return search.Snippet(t, ts)
		}
	}
	return search.Snippet(plain, spans)
}
