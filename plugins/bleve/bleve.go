// Package bleve is the embedded search engine "bleve": an on-disk index in
// <DataDir>/search.bleve (or in memory with Settings["memory"] = "1"), Italian analysis with
// stemming for titles and bodies, typo tolerance, prefixes, phrases, facets and access filters.
//
// Index layout: title and body are analysed with the Italian analyzer, stored, and indexed with
// term vectors; the facet fields are keywords with doc values (for facets), experts and public
// plain keywords; there is no _all field and no dynamic mapping. Term vectors are needed for
// phrase queries; the stored text is what snippets are cut from (highlighting re-analyses the
// page of hits, so no match locations are loaded while searching). Each costs about a third of
// the index: on 20,000 generated docs 41 MB with both, 27 MB with either, 14 MB with neither
// (BenchmarkLayout); 100,000 docs take about 194 MB.
package bleve

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/it"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
	bbolt "go.etcd.io/bbolt"

	"passhub/app/search"
)

func init() {
	search.Register("bleve", func(o search.Options) (search.Engine, error) {
		if o.Settings["memory"] == "1" {
			return New(""), nil
		}
		if o.DataDir == "" {
			return nil, errors.New("bleve: no data dir")
		}
		return New(filepath.Join(o.DataDir, "search.bleve")), nil
	})
}

// layoutVersion changes whenever the mapping does: an index with another version is dropped and
// rebuilt empty (the drift check then re-indexes everything).
const layoutVersion = "passhub-6"

// facetField holds "key\x1fvalue" for every facet of a document: counting facets reads one
// field's doc values per hit instead of one per facet.
const (
	facetField = "facets"
	facetSep   = "\x1f"
)

var versionKey = []byte("passhub_layout")

const (
	analyzerText   = it.AnalyzerName
	analyzerPrefix = "passhub_it_prefix" // lowercase and elision, no stop words nor stemming
)

// Engine is a bleve index.
type Engine struct {
	path   string // "" in memory
	layout layout

	mu  sync.RWMutex
	idx bleve.Index

	prefix analysis.Analyzer
	text   analysis.Analyzer
}

// New returns an engine keeping its index at path, or in memory when path is "".
func New(path string) *Engine {
	return &Engine{path: path, layout: layout{storeText: true, termVectors: true}}
}

// layout says how title and body are kept; only benchmarks change it, to measure the cost.
type layout struct{ storeText, termVectors bool }

var errClosed = errors.New("bleve: index not open")

// Mapping is the index mapping.
func Mapping() (*mapping.IndexMappingImpl, error) { return layout{true, true}.mapping() }

func (l layout) mapping() (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	if err := im.AddCustomAnalyzer(analyzerPrefix, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{lowercase.Name, it.ElisionName},
	}); err != nil {
		return nil, err
	}
	im.ScoringModel = index.BM25Scoring
	im.DefaultAnalyzer = analyzerText
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false

	text := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzerText
		f.Store = l.storeText
		f.IncludeTermVectors = l.termVectors
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	keyword := func(docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = docValues // for facets
		return f
	}
	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt("title", text())
	dm.AddFieldMappingsAt("body", text())
	for _, k := range search.FacetKeys {
		dm.AddFieldMappingsAt(k, keyword(false)) // filters
	}
	dm.AddFieldMappingsAt(facetField, keyword(true)) // every facet value in one field: one doc-value read per hit
	dm.AddFieldMappingsAt("experts", keyword(false))
	dm.AddFieldMappingsAt("keywords", keyword(false)) // canonical legal references
	dm.AddFieldMappingsAt("public", keyword(false))
	dm.AddFieldMappingsAt("private", keyword(false))
	dm.AddFieldMappingsAt("audience", keyword(false))
	up := bleve.NewDateTimeFieldMapping()
	up.Store, up.IncludeInAll, up.DocValues, up.IncludeTermVectors = false, false, true, false
	dm.AddFieldMappingsAt("updated", up)
	im.DefaultMapping = dm
	return im, nil
}

// Init opens the index, creating it when missing or of an older layout.
func (e *Engine) Init(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.idx != nil {
		return nil
	}
	idx, err := e.open()
	if err != nil {
		return err
	}
	return e.use(idx)
}

func (e *Engine) use(idx bleve.Index) error {
	var err error
	if e.text, err = idx.Mapping().AnalyzerNamed(analyzerText), nil; e.text == nil {
		err = errors.New("bleve: no Italian analyzer")
	}
	if e.prefix = idx.Mapping().AnalyzerNamed(analyzerPrefix); e.prefix == nil {
		err = errors.New("bleve: no prefix analyzer")
	}
	if err != nil {
		idx.Close()
		return err
	}
	e.idx = idx
	return nil
}

func (e *Engine) open() (bleve.Index, error) {
	im, err := e.layout.mapping()
	if err != nil {
		return nil, fmt.Errorf("bleve: mapping: %w", err)
	}
	if e.path == "" {
		idx, err := bleve.NewMemOnly(im)
		if err != nil {
			return nil, fmt.Errorf("bleve: %w", err)
		}
		return idx, idx.SetInternal(versionKey, []byte(layoutVersion))
	}
	if _, err := os.Stat(e.path); err == nil {
		idx, err := bleve.OpenUsing(e.path, map[string]interface{}{"bolt_timeout": "3s"})
		if errors.Is(err, bbolt.ErrTimeout) {
			return nil, fmt.Errorf("bleve: %s is in use by another process (stop the server first): %w", e.path, err)
		}
		if err == nil {
			v, _ := idx.GetInternal(versionKey)
			if string(v) == layoutVersion {
				return idx, nil
			}
			idx.Close()
		}
		// unreadable or of another layout: start again
		if err := os.RemoveAll(e.path); err != nil {
			return nil, fmt.Errorf("bleve: %w", err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(e.path), 0o750); err != nil {
		return nil, fmt.Errorf("bleve: %w", err)
	}
	idx, err := bleve.NewUsing(e.path, im, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("bleve: %w", err)
	}
	if err := idx.SetInternal(versionKey, []byte(layoutVersion)); err != nil {
		idx.Close()
		return nil, fmt.Errorf("bleve: %w", err)
	}
	return idx, nil
}

// Ping checks that the index is open.
func (e *Engine) Ping(ctx context.Context) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.idx == nil {
		return errClosed
	}
	_, err := e.idx.DocCount()
	return err
}

// Close closes the index.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.idx == nil {
		return nil
	}
	err := e.idx.Close()
	e.idx = nil
	return err
}

// Size is the index's size on disk in bytes (0 in memory).
func (e *Engine) Size() int64 {
	var n int64
	if e.path == "" {
		return 0
	}
	filepath.WalkDir(e.path, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// batchSize bounds the docs written in one batch.
const batchSize = 1000

// Index adds or replaces docs.
func (e *Engine) Index(ctx context.Context, docs ...search.Doc) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.idx == nil {
		return errClosed
	}
	for len(docs) > 0 {
		n := min(len(docs), batchSize)
		b := e.idx.NewBatch()
		for _, d := range docs[:n] {
			if d.ID == "" || !utf8.ValidString(d.ID) {
				return fmt.Errorf("bleve: invalid id %q", d.ID)
			}
			if err := b.Index(d.ID, fields(d)); err != nil {
				return fmt.Errorf("bleve: %w", err)
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := e.idx.Batch(b); err != nil {
			return fmt.Errorf("bleve: %w", err)
		}
		docs = docs[n:]
	}
	return nil
}

func fields(d search.Doc) map[string]any {
	m := map[string]any{
		"title":  strings.ToValidUTF8(d.Title, "\uFFFD"),
		"body":   strings.ToValidUTF8(d.Body, "\uFFFD"),
		"public": strconv.FormatBool(d.Public),
	}
	if d.Private {
		m["private"] = "true"
	}
	var facets []string
	for _, k := range search.FacetKeys {
		vs := d.FacetValues(k)
		switch len(vs) {
		case 0:
			continue
		case 1:
			m[k] = vs[0]
		default:
			m[k] = vs
		}
		for _, v := range vs {
			facets = append(facets, k+facetSep+v)
		}
	}
	if d.Audience != "" {
		m["audience"] = d.Audience
	}
	if len(facets) > 0 {
		m[facetField] = facets
	}
	if len(d.Experts) > 0 {
		m["experts"] = d.Experts
	}
	if len(d.Keywords) > 0 {
		m["keywords"] = d.Keywords
	}
	if !d.Updated.IsZero() {
		m["updated"] = d.Updated
	}
	return m
}

// Delete removes docs by id; unknown ids are ignored.
func (e *Engine) Delete(ctx context.Context, ids ...string) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.idx == nil {
		return errClosed
	}
	for len(ids) > 0 {
		n := min(len(ids), batchSize)
		b := e.idx.NewBatch()
		for _, id := range ids[:n] {
			b.Delete(id)
		}
		if err := e.idx.Batch(b); err != nil {
			return fmt.Errorf("bleve: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}

// IDs lists every indexed id.
func (e *Engine) IDs(ctx context.Context) ([]string, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.idx == nil {
		return nil, errClosed
	}
	adv, err := e.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("bleve: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("bleve: %w", err)
	}
	defer r.Close()
	dr, err := r.DocIDReaderAll()
	if err != nil {
		return nil, fmt.Errorf("bleve: %w", err)
	}
	defer dr.Close()
	var ids []string
	for {
		iid, err := dr.Next()
		if err != nil {
			return nil, fmt.Errorf("bleve: %w", err)
		}
		if iid == nil {
			return ids, nil
		}
		id, err := r.ExternalID(iid)
		if err != nil {
			return nil, fmt.Errorf("bleve: %w", err)
		}
		ids = append(ids, id)
		if len(ids)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
}

// Clear drops the index and starts an empty one.
func (e *Engine) Clear(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.idx == nil {
		return errClosed
	}
	if err := e.idx.Close(); err != nil {
		return fmt.Errorf("bleve: %w", err)
	}
	e.idx = nil
	if e.path != "" {
		if err := os.RemoveAll(e.path); err != nil {
			return fmt.Errorf("bleve: %w", err)
		}
	}
	idx, err := e.open()
	if err != nil {
		return err
	}
	return e.use(idx)
}
