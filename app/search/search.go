// Package search is the port for full-text search over the platform's content (pages, news,
// requests, documents). Engines implement Engine (an embedded index by default, an external
// server in production) and register themselves by name; the contract every engine honours is
// the suite in package searchtest.
package search

import (
	"context"
	"time"
)

// Doc is one indexed item. ID is "<type>:<database id>", e.g. "page:12", "request:5".
type Doc struct {
	ID, Type, Title, Body, URL string
	TaskForce, Procedure       string   // codes, "" when none (facets)
	Year                       int      // facet
	State                      string   // request state, reserved area facet
	Ente                       string   // ente id as decimal string, "" for public content (facet + access)
	Public                     bool     // anyone may see it
	Experts                    []string // user ids (decimal strings) of assigned experts who may see it
	Keywords                   []string // exact words searched beside the text: canonical legal references (LegalRefs)
	// Private marks an item of a request never submitted: only its ente's members may see it.
	Private bool
	// Audience opens an item to a whole group of logged-in people, whatever their ente or task
	// force: AudienceMembers (every member of an approved ente and all staff) or AudienceWriters
	// (the staff who write it). Items of other kinds leave it empty (and are Private when it is
	// set, so no other clause opens them).
	Audience string
	// Facets of the tender-document library (app/tender): kind, procedure type, threshold, status
	// and author ente of a document, and the articles of its legal basis.
	DocKind, ProcType, Threshold, Status, Author string
	Basis                                        []string
	Updated                                      time.Time
	// Record is the comune of a CRM row, for the re-check of its hits; the engines do not store it.
	Record int64 `json:"-"`
}

// Audiences of Doc.Audience.
const (
	AudienceMembers = "members"
	AudienceWriters = "writers"
)

// Access says what a user may open. A doc matches when: doc.Public, or doc.Ente in Entes, or,
// unless doc.Private, All, or (doc.TaskForce in TaskForces and doc not public), or User in
// doc.Experts; or doc.Audience is AudienceMembers and Members or Writers, or AudienceWriters and
// Writers. The zero value sees public docs only.
type Access struct {
	All        bool
	Entes      []string
	TaskForces []string
	User       string
	// Members opens the docs of AudienceMembers; Writers those of AudienceWriters too.
	Members, Writers bool
}

// Query is one search request.
type Query struct {
	Text    string              // raw user text; parsed with Parse
	Prefix  bool                // as-you-type: the last word is a prefix
	Filters map[string][]string // facet filters (keys in FacetKeys): OR within a key, AND across keys
	Access  Access
	Page    int  // 1-based
	PerPage int  // defaults to 10, at most 100
	Facets  bool // compute facet counts for every key in FacetKeys
	// Synonyms maps a lowercase word to the words or phrases that may stand for it (the acronyms of
	// the field and their expansions); set by Index from the editors' list.
	Synonyms map[string][]string `json:"-"`
}

// Hit is one matching doc. Snippet is HTML-escaped text with <mark>…</mark> around matches.
type Hit struct {
	ID, Type string
	Score    float64
	Snippet  string
}

// FacetCount is how many matching docs have one value of a facet.
type FacetCount struct {
	Value string
	Count int
}

// Result is one page of hits, the total number of matches and the facet counts.
type Result struct {
	// Partial is true when no document has every word and the hits are the best partial matches.
	Partial bool
	Total   int
	Hits    []Hit
	Facets  map[string][]FacetCount // per key in FacetKeys, sorted by SortFacets
}

// Engine indexes docs and searches them.
type Engine interface {
	Init(ctx context.Context) error
	Ping(ctx context.Context) error
	Close() error
	Index(ctx context.Context, docs ...Doc) error // upsert by ID
	Delete(ctx context.Context, ids ...string) error
	Search(ctx context.Context, q Query) (Result, error)
	IDs(ctx context.Context) ([]string, error) // every indexed ID (for drift checks)
	Clear(ctx context.Context) error           // remove everything (reindex)
}

// Options configure an engine: the data dir and the plugin's own settings ("url", "key", "index"…).
type Options struct {
	DataDir  string
	Settings map[string]string
}

// Factory builds an engine.
type Factory func(Options) (Engine, error)
