package content

import (
	"html/template"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Entry is one piece of content: its identity, its listing fields and its revisions' pointers.
type Entry struct {
	bun.BaseModel `bun:"table:entries"`

	ID                  int64     `bun:"id,pk,autoincrement"`
	Type                Type      `bun:"type"`
	Slug                string    `bun:"slug"`
	Title               string    `bun:"title"`
	Summary             string    `bun:"summary"`
	PublishedOn         time.Time `bun:"published_on,nullzero"`
	Weight              int       `bun:"weight"`
	Tags                string    `bun:"tags"` // comma separated, lower case
	TaskForce           string    `bun:"task_force"`
	SourcePath          string    `bun:"source_path"`
	ImportedHash        string    `bun:"imported_hash"`
	CurrentRevisionID   int64     `bun:"current_revision_id,nullzero"`
	PublishedRevisionID int64     `bun:"published_revision_id,nullzero"`
	EditedSinceImport   bool      `bun:"edited_since_import"`
	CreatedAt           time.Time `bun:"created_at"`
	UpdatedAt           time.Time `bun:"updated_at"`
}

// TagList returns the entry's tags.
func (e *Entry) TagList() []string {
	if e.Tags == "" {
		return nil
	}
	return strings.Split(e.Tags, ",")
}

// Revision is one version of an entry's source file.
type Revision struct {
	bun.BaseModel `bun:"table:revisions"`

	ID        int64     `bun:"id,pk,autoincrement"`
	EntryID   int64     `bun:"entry_id"`
	Number    int       `bun:"number"`
	Source    string    `bun:"source"`
	Hash      string    `bun:"hash"`
	Origin    string    `bun:"origin"` // OriginImport or OriginEditor
	Author    string    `bun:"author"`
	CreatedAt time.Time `bun:"created_at"`
	// State is where the revision is in the newsroom's workflow (StateDraft…StateArchived).
	State string `bun:"state"`
	// Comment is the publisher's request for changes, shown to the author with the draft.
	Comment     string    `bun:"comment"`
	AuthorID    int64     `bun:"author_id,nullzero"`
	PublishAt   time.Time `bun:"publish_at,nullzero"`
	UnpublishAt time.Time `bun:"unpublish_at,nullzero"`
	ScheduledBy int64     `bun:"scheduled_by,nullzero"`
	UpdatedAt   time.Time `bun:"updated_at,nullzero"`
	// Slug is the slug the revision asks for when it differs from its entry's ("" otherwise):
	// publishing it renames the entry and leaves a redirect from the old URL.
	Slug string `bun:"slug"`
}

// Redirect sends the public URL of an entry's former slug to its current one, permanently.
type Redirect struct {
	bun.BaseModel `bun:"table:content_redirects"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Type      Type      `bun:"type"`
	From      string    `bun:"from_slug"`
	To        string    `bun:"to_slug"`
	EntryID   int64     `bun:"entry_id"`
	CreatedAt time.Time `bun:"created_at"`
}

// Revision states of the newsroom's workflow: a draft is submitted for review, published (or
// scheduled to be), and archived when another revision replaces it or the entry is withdrawn.
const (
	StateDraft     = "draft"
	StateReview    = "review"
	StateScheduled = "scheduled"
	StatePublished = "published"
	StateArchived  = "archived"
)

// States lists the workflow states in their order.
var States = []string{StateDraft, StateReview, StateScheduled, StatePublished, StateArchived}

// Revision origins.
const (
	OriginImport = "import"
	OriginEditor = "editor"
)

// Attachment is a file published with an entry (a report's data, for instance).
type Attachment struct {
	bun.BaseModel `bun:"table:attachments"`

	ID          int64     `bun:"id,pk,autoincrement"`
	EntryID     int64     `bun:"entry_id"`
	Name        string    `bun:"name"`
	Title       string    `bun:"title"`
	ContentType string    `bun:"content_type"`
	Size        int64     `bun:"size"`
	SHA256      string    `bun:"sha256"`
	Data        []byte    `bun:"data"` // empty once the bytes are in the store
	StorageKey  string    `bun:"storage_key"`
	CreatedAt   time.Time `bun:"created_at"`
}

// Published is an entry as readers see it: its published revision parsed and rendered.
type Published struct {
	Entry       Entry
	Front       Front
	Markdown    string
	HTML        template.HTML
	Attachments []Attachment // without Data
	Revision    int
	RevisionID  int64
}
