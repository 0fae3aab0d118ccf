package tender

import (
	"context"
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/search"
	"passhub/app/storage"
)

// Type is the search type of a library document.
const Type = "tender"

// Facet keys of the library (search.FacetKeys).
const (
	FacetKind      = "doc_kind"
	FacetProcedure = "proc_type"
	FacetThreshold = "threshold"
	FacetBasis     = "basis"
	FacetStatus    = "status"
	FacetAuthor    = "author"
)

// Params are the library's facets and the GET parameters that filter on them, in display order.
var Params = []struct{ Key, Name string }{{FacetKind, "tipo"}, {FacetProcedure, "procedura"}, {FacetThreshold, "soglia"},
	{FacetBasis, "articolo"}, {FacetAuthor, "ente"}, {FacetStatus, "stato"}}

// Item is one document of the library's list.
type Item struct {
	ID                                  int64
	Title, URL, Kind, ProcedureType     string
	Status, Author, Threshold, Articles string
	Snippet                             template.HTML
}

// Result is one page of the library's search.
type Result struct {
	Items        []Item
	Total, Pages int
	Partial      bool
	Facets       map[string][]search.FacetCount
}

// Searcher runs the library's faceted search for a subject.
type Searcher interface {
	Library(ctx context.Context, s *access.Subject, words string, filters map[string][]string, page int) (Result, error)
}

// Source is the library as the search index sees it (search.Kind), and the library's search
// over the index (Searcher).
type Source struct {
	Svc   *Service
	Index *search.Index
	// Text reads a stored file's text within the extractor's limits ("" when it has none).
	Text func(ctx context.Context, name string, data []byte) string
	// MaxRead bounds the bytes of a file read for its text.
	MaxRead int64
	Files   storage.Store
}

// Load builds the doc of a document: its fields and, when full, the text of its current file.
// A draft is open to its writers only, an approved or superseded document to every member of an
// approved ente and all staff; the doc is private (no ente, task force or expert opens it).
func (src *Source) Load(ctx context.Context, id int64, full bool) (search.Doc, error) {
	d, err := src.Svc.Get(ctx, id)
	if err != nil {
		return search.Doc{}, err
	}
	aud := search.AudienceMembers
	if d.Draft() {
		aud = search.AudienceWriters
	}
	body := []string{d.Description, d.LegalBasis}
	if full {
		if v := d.Current(); v != nil {
			body = append(body, v.Filename, v.ChangeNote, src.fileText(ctx, v))
		}
	}
	year := d.CreatedAt.Year()
	if !d.ValidFrom.IsZero() {
		year = d.ValidFrom.Year()
	}
	return search.Doc{ID: search.Ref(Type, d.ID), Type: Type, Title: d.Title, Body: strings.Join(nonEmpty(body), "\n\n"), URL: URL(d.ID),
		Year: year, Private: true, Audience: aud, DocKind: d.Kind, ProcType: d.ProcedureType, Threshold: d.Threshold, Status: d.Status,
		Author: strconv.FormatInt(d.AuthorEnteID, 10), Basis: d.Articles(), Updated: d.UpdatedAt}, nil
}

func (src *Source) fileText(ctx context.Context, v *Version) string {
	if src.Text == nil || src.Files == nil {
		return ""
	}
	f, err := src.Files.Open(ctx, v.StorageKey)
	if err != nil {
		return ""
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, src.MaxRead+1))
	if err != nil || int64(len(data)) > src.MaxRead {
		return ""
	}
	return src.Text(ctx, v.Filename, data)
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

// IDs lists the documents' ids after the one given.
func (src *Source) IDs(ctx context.Context, after int64, n int) ([]int64, error) {
	var ids []int64
	err := src.Svc.db.NewSelect().Model((*Document)(nil)).Column("id").Where("id > ?", after).Order("id").Limit(int64(n)).Scan(ctx, &ids)
	return ids, db.Map(err)
}

// Reindex queues the update of a document in the index.
func (src *Source) Reindex(ctx context.Context, docID int64) error {
	return src.Index.Queue(ctx, search.Ref(Type, docID))
}

// Library searches the library: the words (none lists the documents, newest first) within the
// facet filters, for what the subject may open (the index's access fields, then every hit
// checked again against the database).
func (src *Source) Library(ctx context.Context, s *access.Subject, words string, filters map[string][]string, page int) (Result, error) {
	f := map[string][]string{"type": {Type}}
	for k, v := range filters {
		f[k] = v
	}
	res, err := src.Index.Search(ctx, s, search.Query{Text: words, Filters: f, Page: page, PerPage: PageSize, Facets: true})
	if err != nil {
		return Result{}, err
	}
	out := Result{Total: res.Total, Pages: res.Pages, Partial: res.Partial, Facets: res.Facets}
	var ids []int64
	snippets := map[int64]template.HTML{}
	for _, it := range res.Items {
		if _, id, ok := search.SplitRef(it.Ref); ok && it.Type == Type {
			ids = append(ids, id)
			snippets[id] = it.Snippet
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	var docs []Document
	if err := src.Svc.db.NewSelect().Model(&docs).ColumnExpr("d.*").ColumnExpr("e.name AS author").Join("JOIN enti AS e ON e.id = d.author_ente_id").
		Where("d.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return Result{}, db.Map(err)
	}
	byID := map[int64]*Document{}
	for i := range docs {
		byID[docs[i].ID] = &docs[i]
	}
	for _, id := range ids {
		d, ok := byID[id]
		if !ok || !s.Can(access.ViewTenderDocs, access.Object{Draft: d.Draft()}) {
			out.Total--
			continue
		}
		out.Items = append(out.Items, Item{ID: d.ID, Title: d.Title, URL: URL(d.ID), Kind: d.Kind, ProcedureType: d.ProcedureType,
			Status: d.Status, Author: d.Author, Threshold: d.Threshold, Articles: d.LegalBasis, Snippet: snippets[id]})
	}
	return out, nil
}
