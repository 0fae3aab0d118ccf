package search

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/uptrace/bun"
	"golang.org/x/net/html"

	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/extract"
	"passhub/app/jobs"
	"passhub/app/request"
	"passhub/app/storage"
	"passhub/app/workarea"
	"passhub/app/workspace"
)

// Types of the reserved area's indexed items; published content uses its content type.
const (
	TypeRequest  = "request"
	TypeMessage  = "message"
	TypeDocument = "document"
	TypeActivity = "activity"
	// A thematic work area's topic and post (app/workarea); its library's documents are
	// TypeDocument, of a space of kind area.
	TypeAreaTopic = "area_topic"
	TypeAreaPost  = "area_post"
)

// AreaAccess is the value of Doc.Ente of a work area's items: the area's members are given it in
// Access.Entes (AccessOf), and nobody else matches it (the items are Private: not the admins' All,
// nor the task forces', nor the experts'). The hits are re-checked with access.ViewArea.
func AreaAccess(areaID int64) string { return "area-" + strconv.FormatInt(areaID, 10) }

// DeskAccess is the value of Doc.Ente of the help desk's view of its tickets (app/helpdesk: the
// subject, every message, the internal notes): the subjects who work the tickets
// (access.WorkTickets) are given it in Access.Entes. The hits are re-checked with the same action.
const DeskAccess = "helpdesk"

// RequesterAccess is the value of Doc.Ente of a ticket as its requester sees it (without the
// internal notes): every logged-in subject is given their own (AccessOf), and the hits are
// re-checked with access.OpenOwnTicket.
func RequesterAccess(userID int64) string { return requesterPrefix + strconv.FormatInt(userID, 10) }

const requesterPrefix = "ticket-user-"

// AccessValue reports whether an Ente value only says who may open an item (a ticket's) and
// names no ente or area: the facets leave it out.
func AccessValue(ente string) bool {
	return ente == DeskAccess || strings.HasPrefix(ente, requesterPrefix)
}

// Index keeps the engine true to the database: it turns rows into docs, indexes and deletes them.
type Index struct {
	Engine   Engine
	DB       *db.DB
	Files    storage.Store
	Requests *request.Service
	// Extractor reads the text of attachments and documents (a shared default when nil); a file
	// it cannot read within its limits is indexed without its text.
	Extractor *extract.Extractor
	// Jobs carries the index's updates (Register sets it); Bus tells every instance that the
	// index changed, so each drops its cached results (nil: this instance only).
	Jobs       *jobs.Queue
	Bus        Publisher
	Log        *slog.Logger
	EngineName string

	// cache keeps engine results (ids, snippets, facets) of recent queries until this process
	// changes the index or CacheTTL passes (changes made by other instances); the hits are still
	// checked against the database on every request.
	cache *expirable.LRU[string, Result]
	once  sync.Once
	// gen counts the changes of the index; a result computed while it changed is not cached, so
	// a search that started before a change never hides what the change added.
	gen atomic.Uint64

	syn synonyms

	// kinds are the other domains' items (the tender library), by type: Register adds them.
	kinds map[string]Kind
}

// Kind is a domain that keeps its own items in the index (app/tender): it turns one of its rows
// into a doc, and lists its ids for rebuilds and drift checks.
type Kind interface {
	// Load builds the doc of the row id (its body only when full); db.ErrNotFound when the row
	// must not be in the index.
	Load(ctx context.Context, id int64, full bool) (Doc, error)
	// IDs lists up to n ids after the id given, in order.
	IDs(ctx context.Context, after int64, n int) ([]int64, error)
}

// AddKind registers a domain's items of type typ; call it before the index is used.
func (x *Index) AddKind(typ string, k Kind) {
	if x.kinds == nil {
		x.kinds = map[string]Kind{}
	}
	x.kinds[typ] = k
}

// sources are what a rebuild walks: Sources, then the registered kinds in name order.
func (x *Index) sources() []string {
	out := append([]string(nil), Sources...)
	var extra []string
	for typ := range x.kinds {
		extra = append(extra, typ)
	}
	slices.Sort(extra)
	return append(out, extra...)
}

// Queue brings the index up to date with refs through the search queue (a durable job).
func (x *Index) Queue(ctx context.Context, refs ...string) error {
	return x.enqueue(ctx, nil, Args{Refs: refs})
}

var (
	defaultExtractor     *extract.Extractor
	defaultExtractorOnce sync.Once
)

// text returns the text of a file within the extractor's limits; a failure (logged by the
// extractor) gives the file without its text, so the index job still completes.
func (x *Index) text(ctx context.Context, name string, data []byte) string {
	t, _ := x.extractor().Text(ctx, name, data)
	return t
}

func (x *Index) extractor() *extract.Extractor {
	if x.Extractor != nil {
		return x.Extractor
	}
	defaultExtractorOnce.Do(func() { defaultExtractor = extract.New(extract.Limits{}, nil) })
	return defaultExtractor
}

// CacheTTL bounds how long a result computed before another instance's change may be served.
const CacheTTL = 30 * time.Second

// cached runs q on the engine through the result cache.
func (x *Index) cached(ctx context.Context, q Query) (Result, error) {
	x.initCache()
	key := cacheKey(q)
	if r, ok := x.cache.Get(key); ok {
		return r, nil
	}
	gen := x.gen.Load()
	r, err := x.Engine.Search(ctx, q)
	if err == nil && x.gen.Load() == gen {
		x.cache.Add(key, r)
	}
	return r, err
}

func (x *Index) initCache() {
	x.once.Do(func() { x.cache = expirable.NewLRU[string, Result](1024, nil, CacheTTL) })
}

// forget drops every cached result: the index changed.
func (x *Index) forget() {
	x.initCache()
	x.gen.Add(1)
	x.cache.Purge()
}

// CacheTopic is the bus topic that tells every instance to drop its cached search results.
const CacheTopic = "cache:search"

// Publisher carries a topic to every instance (the realtime bus).
type Publisher interface {
	Publish(ctx context.Context, topic string) error
}

// changed drops the cached results here, and on the other instances through the bus.
func (x *Index) changed(ctx context.Context) {
	x.forget()
	if x.Bus != nil {
		if err := x.Bus.Publish(context.WithoutCancel(ctx), CacheTopic); err != nil && x.Log != nil {
			x.Log.Warn("search: cache topic not published", "err", err)
		}
	}
}

// Forget drops the cached results on this instance (the bus said the index or the content changed).
func (x *Index) Forget() { x.forget() }

func cacheKey(q Query) string {
	b, _ := json.Marshal(q) // maps marshal with sorted keys
	return string(b)
}

// Ref is the id of an indexed item: "<type>:<database id>".
func Ref(typ string, id int64) string { return typ + ":" + strconv.FormatInt(id, 10) }

// SplitRef returns the type and database id of a ref.
func SplitRef(ref string) (string, int64, bool) {
	typ, id, ok := strings.Cut(ref, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	return typ, n, ok && err == nil && n > 0
}

// Refresh re-reads refs from the database and indexes them, or deletes those that are gone or no
// longer published.
func (x *Index) Refresh(ctx context.Context, refs ...string) error {
	var docs []Doc
	var gone []string
	for _, ref := range refs {
		d, ok, err := x.Load(ctx, ref)
		if err != nil {
			return err
		}
		if ok {
			docs = append(docs, d)
		} else {
			gone = append(gone, ref)
		}
	}
	x.gen.Add(1) // searches running while the engine changes keep their result to themselves
	defer x.changed(ctx)
	if len(docs) > 0 {
		if err := x.Engine.Index(ctx, docs...); err != nil {
			return err
		}
	}
	if len(gone) > 0 {
		return x.Engine.Delete(ctx, gone...)
	}
	return nil
}

// RequestRefs lists a request's ref and the refs of its messages, documents and activities.
func (x *Index) RequestRefs(ctx context.Context, requestID int64) ([]string, error) {
	refs := []string{Ref(TypeRequest, requestID)}
	for _, t := range []struct {
		typ   string
		model any
	}{{TypeMessage, (*workspace.Message)(nil)}, {TypeDocument, (*workspace.Document)(nil)}, {TypeActivity, (*workspace.Activity)(nil)}} {
		var ids []int64
		if err := x.DB.NewSelect().Model(t.model).Column("id").Where("space_id IN (?)", x.DB.NewSelect().Model((*workspace.Space)(nil)).Column("id").Where("request_id = ?", requestID)).Scan(ctx, &ids); err != nil {
			return nil, db.Map(err)
		}
		for _, id := range ids {
			refs = append(refs, Ref(t.typ, id))
		}
	}
	return refs, nil
}

// All calls fn with every ref the index should hold, in batches.
func (x *Index) All(ctx context.Context, batch int, fn func(refs []string) error) error {
	var entries []content.Entry
	if err := x.DB.NewSelect().Model(&entries).Column("id", "type").Where("published_revision_id IS NOT NULL").
		Where("type IN (?)", bun.In(content.SearchTypes())).Order("id").Scan(ctx); err != nil {
		return db.Map(err)
	}
	var refs []string
	flush := func(force bool) error {
		if len(refs) == 0 || (!force && len(refs) < batch) {
			return nil
		}
		err := fn(refs)
		refs = nil
		return err
	}
	for _, e := range entries {
		refs = append(refs, Ref(string(e.Type), e.ID))
		if err := flush(false); err != nil {
			return err
		}
	}
	for _, t := range []struct {
		typ   string
		table string
	}{{TypeRequest, "requests"}, {TypeMessage, "messages"}, {TypeDocument, "documents"}, {TypeActivity, "activities"},
		{TypeCRMContact, crmTables[TypeCRMContact]}, {TypeCRMInteraction, crmTables[TypeCRMInteraction]}, {TypeCRMAgreement, crmTables[TypeCRMAgreement]},
		{TypeAreaTopic, "area_topics"}, {TypeAreaPost, "area_posts"}} {
		var ids []int64
		q := x.DB.NewSelect().TableExpr(t.table + " AS x").Column("x.id").Order("x.id")
		if crmTables[t.typ] != "" {
			q = q.Where(crmCurrent) // a comune no longer followed: its province's rows are not searched
		}
		if err := q.Scan(ctx, &ids); err != nil {
			return db.Map(err)
		}
		for _, id := range ids {
			refs = append(refs, Ref(t.typ, id))
			if err := flush(false); err != nil {
				return err
			}
		}
	}
	for _, typ := range x.sources()[len(Sources):] {
		var after int64
		for {
			ids, err := x.kinds[typ].IDs(ctx, after, 1000)
			if err != nil {
				return err
			}
			for _, id := range ids {
				refs, after = append(refs, Ref(typ, id)), id
				if err := flush(false); err != nil {
					return err
				}
			}
			if len(ids) < 1000 {
				break
			}
		}
	}
	return flush(true)
}

// Sources are what a rebuild walks, in order: published content, then the reserved tables.
var Sources = []string{"content", TypeRequest, TypeMessage, TypeDocument, TypeActivity, TypeAreaTopic, TypeAreaPost, TypeCRMContact, TypeCRMInteraction, TypeCRMAgreement}

var sourceTables = map[string]string{TypeRequest: "requests", TypeMessage: "messages", TypeDocument: "documents", TypeActivity: "activities",
	TypeAreaTopic: "area_topics", TypeAreaPost: "area_posts",
	TypeCRMContact: "crm_contacts", TypeCRMInteraction: "crm_interactions", TypeCRMAgreement: "crm_agreements"}

// Chunk returns up to n refs of the source (one of Sources) whose ids follow after, in id order,
// and the id of the last one; fewer than n means the source is done.
func (x *Index) Chunk(ctx context.Context, source string, after int64, n int) ([]string, int64, error) {
	var refs []string
	last := after
	if source == "content" {
		var entries []content.Entry
		if err := x.DB.NewSelect().Model(&entries).Column("id", "type").Where("published_revision_id IS NOT NULL").
			Where("type IN (?)", bun.In(content.SearchTypes())).Where("id > ?", after).Order("id").Limit(int64(n)).Scan(ctx); err != nil {
			return nil, 0, db.Map(err)
		}
		for _, e := range entries {
			refs, last = append(refs, Ref(string(e.Type), e.ID)), e.ID
		}
		return refs, last, nil
	}
	if k, ok := x.kinds[source]; ok {
		ids, err := k.IDs(ctx, after, n)
		if err != nil {
			return nil, 0, err
		}
		for _, id := range ids {
			refs, last = append(refs, Ref(source, id)), id
		}
		return refs, last, nil
	}
	table, ok := sourceTables[source]
	if !ok {
		return nil, 0, fmt.Errorf("search: no source %q", source)
	}
	var ids []int64
	q := x.DB.NewSelect().TableExpr(table+" AS x").Column("x.id").Where("x.id > ?", after).Order("x.id").Limit(int64(n))
	if crmTables[source] != "" {
		q = q.Where(crmCurrent)
	}
	if err := q.Scan(ctx, &ids); err != nil {
		return nil, 0, db.Map(err)
	}
	for _, id := range ids {
		refs, last = append(refs, Ref(source, id)), id
	}
	return refs, last, nil
}

// Load builds the doc of ref from the database; ok is false when it must not be in the index.
func (x *Index) Load(ctx context.Context, ref string) (Doc, bool, error) {
	return x.load(ctx, ref, true)
}

// Card is Load without the body: what a result list shows and what access is decided on.
func (x *Index) Card(ctx context.Context, ref string) (Doc, bool, error) {
	return x.load(ctx, ref, false)
}

// Cards loads the cards of refs, published content in one query; a ref missing from the result
// must not be shown.
func (x *Index) Cards(ctx context.Context, refs []string) (map[string]Doc, error) {
	out := make(map[string]Doc, len(refs))
	var ids []int64
	for _, ref := range refs {
		typ, id, ok := SplitRef(ref)
		_, kind := x.kinds[typ] // a content type may be a kind of its own (app/acts)
		switch {
		case !ok:
		case !kind && content.Type(typ).Valid():
			if content.Searchable(content.Type(typ)) {
				ids = append(ids, id)
			}
		default:
			d, ok, err := x.Card(ctx, ref)
			if err != nil {
				return nil, err
			}
			if ok {
				out[ref] = d
			}
		}
	}
	if len(ids) > 0 {
		var entries []content.Entry
		if err := x.DB.NewSelect().Model(&entries).Column("id", "type", "slug", "title", "summary", "task_force", "updated_at").
			Where("id IN (?)", bun.In(ids)).Where("published_revision_id IS NOT NULL").Scan(ctx); err != nil {
			return nil, db.Map(err)
		}
		for _, e := range entries {
			d := entryCard(&e)
			out[d.ID] = d
		}
	}
	return out, nil
}

func entryCard(e *content.Entry) Doc {
	return Doc{ID: Ref(string(e.Type), e.ID), Type: string(e.Type), Title: e.Title, Body: e.Summary, URL: e.Type.URL(e.Slug),
		TaskForce: e.TaskForce, Public: true, Updated: e.UpdatedAt}
}

func (x *Index) load(ctx context.Context, ref string, full bool) (Doc, bool, error) {
	typ, id, valid := SplitRef(ref)
	if !valid {
		return Doc{}, false, nil
	}
	var d Doc
	var err error
	k, registered := x.kinds[typ]
	switch {
	case registered:
		d, err = k.Load(ctx, id, full)
	case typ == TypeRequest || typ == TypeMessage || typ == TypeDocument || typ == TypeActivity:
		d, err = x.loadReserved(ctx, typ, id, full)
	case typ == TypeCRMContact || typ == TypeCRMInteraction || typ == TypeCRMAgreement:
		d, err = x.loadCRM(ctx, typ, id)
	case typ == TypeAreaTopic || typ == TypeAreaPost:
		d, err = x.loadArea(ctx, typ, id)
	default:
		if !content.Searchable(content.Type(typ)) {
			return Doc{}, false, nil
		}
		d, err = x.loadContent(ctx, id, full)
	}
	if errors.Is(err, db.ErrNotFound) {
		return Doc{}, false, nil
	}
	if err == nil && full {
		d.Keywords = LegalRefs(d.Title + "\n" + d.Body)
	}
	return d, err == nil, err
}

func (x *Index) loadContent(ctx context.Context, id int64, full bool) (Doc, error) {
	var e content.Entry
	if err := x.DB.NewSelect().Model(&e).Where("id = ?", id).Where("published_revision_id IS NOT NULL").Scan(ctx); err != nil {
		return Doc{}, db.Map(err)
	}
	if !full {
		return entryCard(&e), nil
	}
	var rev content.Revision
	if err := x.DB.NewSelect().Model(&rev).Where("id = ?", e.PublishedRevisionID).Scan(ctx); err != nil {
		return Doc{}, db.Map(err)
	}
	body := []string{e.Summary}
	procedure := ""
	if doc, err := content.Parse(e.Type, e.Slug, e.Type.Dir()+"/"+e.Slug+".md", []byte(rev.Source)); err == nil {
		body = append(body, MarkdownText(doc.Body))
		// The type's registration says which fields are searched beside the body, and which
		// fill a facet.
		if def, ok := content.Lookup(e.Type); ok {
			for _, f := range def.Fields {
				if f.Facet == "procedure" {
					procedure = doc.Front.Text(f.Name)
				}
				if f.Search {
					text := doc.Front.Text(f.Name)
					if f.Kind == content.KindMarkdown {
						text = MarkdownText(text)
					}
					body = append(body, text)
				}
			}
		}
	}
	var atts []content.Attachment
	if err := x.DB.NewSelect().Model(&atts).Where("entry_id = ?", e.ID).Order("id").Scan(ctx); err != nil {
		return Doc{}, db.Map(err)
	}
	for _, a := range atts {
		if a.StorageKey != "" {
			body = append(body, a.Title, x.fileText(ctx, a.Name, a.StorageKey))
		} else {
			body = append(body, a.Title, x.text(ctx, a.Name, a.Data))
		}
	}
	year := e.PublishedOn.Year()
	if e.PublishedOn.IsZero() {
		year = e.CreatedAt.Year()
	}
	return Doc{ID: Ref(string(e.Type), e.ID), Type: string(e.Type), Title: e.Title, Body: strings.Join(nonEmpty(body), "\n\n"),
		URL: e.Type.URL(e.Slug), TaskForce: e.TaskForce, Procedure: procedure, Year: year, Public: true, Updated: e.UpdatedAt}, nil
}

func (x *Index) loadReserved(ctx context.Context, typ string, id int64, full bool) (Doc, error) {
	requestID := id
	var spaceID int64
	var title, body, anchor string
	switch typ {
	case TypeMessage:
		var m workspace.Message
		if err := x.DB.NewSelect().Model(&m).Where("id = ?", id).Scan(ctx); err != nil {
			return Doc{}, db.Map(err)
		}
		spaceID, body, anchor = m.SpaceID, m.Author+"\n"+m.Body, "#messaggio-"+strconv.FormatInt(id, 10)
	case TypeDocument:
		var d workspace.Document
		if err := x.DB.NewSelect().Model(&d).Relation("Versions").Where("document.id = ?", id).Scan(ctx); err != nil {
			return Doc{}, db.Map(err)
		}
		spaceID, title, anchor = d.SpaceID, d.Name, "#documenti"
		if v := d.Latest(); v != nil && full {
			body = v.Filename + "\n" + x.fileText(ctx, v.Filename, v.StorageKey)
		}
		if areaID, err := workspace.AreaOf(ctx, x.DB, d.SpaceID); err != nil {
			return Doc{}, err
		} else if areaID != 0 { // a work area's library
			return areaDoc(Ref(typ, id), typ, title, body, workarea.URL(areaID)+"/biblioteca#documento-"+strconv.FormatInt(id, 10), areaID, d.UpdatedAt), nil
		}
	case TypeActivity:
		var a workspace.Activity
		if err := x.DB.NewSelect().Model(&a).Where("id = ?", id).Scan(ctx); err != nil {
			return Doc{}, db.Map(err)
		}
		spaceID, body, anchor = a.SpaceID, a.Expert+"\n"+a.Description, "#timeline"
	}
	if typ != TypeRequest {
		// A workspace row is indexed with the request its space belongs to.
		var err error
		if requestID, err = workspace.RequestOf(ctx, x.DB, spaceID); err != nil {
			return Doc{}, err
		}
		if requestID == 0 {
			return Doc{}, db.ErrNotFound
		}
	}
	r, err := x.Requests.Get(ctx, requestID)
	if err != nil {
		return Doc{}, err
	}
	if typ == TypeRequest {
		body = strings.Join(nonEmpty([]string{r.Description, r.Bottleneck, r.DesiredOutcome, r.Reason, r.Summary, r.EnteName}), "\n\n")
	}
	if title == "" {
		title = r.Title
	}
	experts := make([]string, 0, len(r.Experts))
	for _, e := range r.ExpertIDs() {
		experts = append(experts, strconv.FormatInt(e, 10))
	}
	return Doc{ID: Ref(typ, id), Type: typ, Title: title, Body: body, URL: "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10) + anchor,
		TaskForce: r.TaskForce, Procedure: r.ProcedureCode, Year: r.CreatedAt.Year(), State: string(r.State),
		Ente: strconv.FormatInt(r.EnteID, 10), Experts: experts, Private: r.Draft(), Updated: r.UpdatedAt}, nil
}

// loadArea builds the doc of a work area's topic or post; a hidden post is not indexed.
func (x *Index) loadArea(ctx context.Context, typ string, id int64) (Doc, error) {
	if typ == TypeAreaTopic {
		var t workarea.Topic
		if err := x.DB.NewSelect().Model(&t).Where("id = ?", id).Scan(ctx); err != nil {
			return Doc{}, db.Map(err)
		}
		return areaDoc(Ref(typ, id), typ, t.Title, t.Author, workarea.TopicURL(t.AreaID, t.ID), t.AreaID, t.LastPostAt), nil
	}
	var p workarea.Post
	if err := x.DB.NewSelect().Model(&p).Where("id = ?", id).Where("hidden_at IS NULL").Scan(ctx); err != nil {
		return Doc{}, db.Map(err)
	}
	var t workarea.Topic
	if err := x.DB.NewSelect().Model(&t).Column("title").Where("id = ?", p.TopicID).Scan(ctx); err != nil {
		return Doc{}, db.Map(err)
	}
	return areaDoc(Ref(typ, id), typ, t.Title, p.Author+"\n"+p.Body, workarea.TopicURL(p.AreaID, p.TopicID)+"#post-"+strconv.FormatInt(id, 10),
		p.AreaID, p.CreatedAt), nil
}

// areaDoc is an item of a work area: private, matched only by the area's access value.
func areaDoc(ref, typ, title, body, url string, areaID int64, updated time.Time) Doc {
	return Doc{ID: ref, Type: typ, Title: title, Body: body, URL: url, Ente: AreaAccess(areaID), Private: true, Year: updated.Year(), Updated: updated}
}

// fileText extracts the text of a stored file; a file that cannot be read adds nothing.
func (x *Index) fileText(ctx context.Context, name, key string) string {
	if x.Files == nil || key == "" {
		return ""
	}
	f, err := x.Files.Open(ctx, key)
	if err != nil {
		return ""
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if head, _ := br.Peek(8); extract.Kind(name, head) == "" {
		return "" // no text in it: not worth reading
	}
	data, err := io.ReadAll(io.LimitReader(br, x.extractor().Limits().Input+1))
	if err != nil {
		return ""
	}
	return x.text(ctx, name, data)
}

// MarkdownText renders Markdown and keeps its text, without markup, on one line.
func MarkdownText(md string) string {
	h, err := content.Render(md)
	if err != nil {
		return md
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(string(h)))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			b.Write(z.Text())
		case html.EndTagToken, html.SelfClosingTagToken:
			b.WriteByte(' ')
		}
	}
}

func nonEmpty(parts []string) []string {
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Drift compares the database with the index: refs missing from the index and ids the index holds
// that the database does not.
func (x *Index) Drift(ctx context.Context) (missing, extra []string, err error) {
	indexed, err := x.Engine.IDs(ctx)
	if err != nil {
		return nil, nil, err
	}
	have := make(map[string]bool, len(indexed))
	for _, id := range indexed {
		have[id] = true
	}
	err = x.All(ctx, 1000, func(refs []string) error {
		for _, r := range refs {
			if have[r] {
				delete(have, r)
			} else {
				missing = append(missing, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("search: drift: %w", err)
	}
	for id := range have {
		extra = append(extra, id)
	}
	return missing, extra, nil
}

// Count returns how many items the index should hold.
func (x *Index) Count(ctx context.Context) (int, error) {
	n := 0
	err := x.All(ctx, 1000, func(refs []string) error { n += len(refs); return nil })
	return n, err
}

// Rebuild indexes every item again, then removes what the index holds that the database does not,
// telling progress after each batch; it returns how many items it indexed. The index is never
// emptied first, so searches made meanwhile never lose results they had.
func (x *Index) Rebuild(ctx context.Context, progress func(done int)) (int, error) {
	defer x.forget()
	before, err := x.Engine.IDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("search: rebuild: %w", err)
	}
	stale := make(map[string]bool, len(before))
	for _, id := range before {
		stale[id] = true
	}
	done := 0
	err = x.All(ctx, 500, func(refs []string) error {
		if err := x.Refresh(ctx, refs...); err != nil {
			return err
		}
		for _, r := range refs {
			delete(stale, r)
		}
		done += len(refs)
		if progress != nil {
			progress(done)
		}
		return nil
	})
	if err != nil {
		return done, err
	}
	gone := make([]string, 0, len(stale))
	for id := range stale {
		gone = append(gone, id)
	}
	if len(gone) > 0 {
		if err := x.Engine.Delete(ctx, gone...); err != nil {
			return done, fmt.Errorf("search: rebuild: %w", err)
		}
	}
	return done, nil
}
