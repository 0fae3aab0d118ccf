// Package workarea owns the thematic work areas of the province collaboration platform: one area
// per associated service (Stazione Appaltante, Servizio Europa, Centro di Competenza sulla
// Digitalizzazione, …), its members (enti and people, each with a role), its discussion topics
// with their posts (attachments and mentions), and its library, which is the area's space of
// kind "area" in app/workspace (versioned documents with the same checks and quota). Who may do
// what is the access policy's (access.ViewArea, PostInArea, CoordinateArea, ManageAreas); the
// service keeps the rules of the content. See docs/workareas.md.
package workarea

import (
	"errors"
	"html/template"
	"time"

	"github.com/uptrace/bun"
)

// Area is a thematic work area.
type Area struct {
	bun.BaseModel `bun:"table:areas"`

	ID          int64     `bun:"id,pk,autoincrement"`
	Name        string    `bun:"name"`
	Service     string    `bun:"service"` // the associated service it supports
	Description string    `bun:"description"`
	CreatedBy   int64     `bun:"created_by,nullzero"`
	CreatedAt   time.Time `bun:"created_at"`
	UpdatedAt   time.Time `bun:"updated_at"`

	// Role is the viewer's effective role in the area, set by lists for a viewer.
	Role string `bun:"-"`
}

// Member is one membership of an area: an ente (all its enabled members, while it is approved)
// or a person.
type Member struct {
	bun.BaseModel `bun:"table:area_members"`

	ID        int64     `bun:"id,pk,autoincrement"`
	AreaID    int64     `bun:"area_id"`
	UserID    int64     `bun:"user_id,nullzero"`
	EnteID    int64     `bun:"ente_id,nullzero"`
	Role      string    `bun:"role"`
	AddedBy   int64     `bun:"added_by,nullzero"`
	CreatedAt time.Time `bun:"created_at"`

	// Name is the person's or the ente's name, for the pages.
	Name string `bun:"-"`
}

// Person is someone who belongs to an area, with their effective role (the highest of their
// direct membership and their enti's) and the enti through which they belong.
type Person struct {
	UserID int64
	Name   string
	Role   string
	Enti   []string // names of the member enti they belong through
	Direct bool     // added as a person
}

// Topic is a discussion of an area: its posts, the opening one first.
type Topic struct {
	bun.BaseModel `bun:"table:area_topics"`

	ID         int64     `bun:"id,pk,autoincrement"`
	AreaID     int64     `bun:"area_id"`
	Title      string    `bun:"title"`
	AuthorID   int64     `bun:"author_id"`
	Author     string    `bun:"author"`
	Replies    int       `bun:"replies"`
	CreatedAt  time.Time `bun:"created_at"`
	LastPostAt time.Time `bun:"last_post_at"`
}

// Post is the opening post or a reply of a topic.
type Post struct {
	bun.BaseModel `bun:"table:area_posts"`

	ID         int64     `bun:"id,pk,autoincrement"`
	TopicID    int64     `bun:"topic_id"`
	AreaID     int64     `bun:"area_id"`
	AuthorID   int64     `bun:"author_id"`
	Author     string    `bun:"author"`
	Body       string    `bun:"body"`
	DocumentID int64     `bun:"document_id,nullzero"`
	HiddenAt   time.Time `bun:"hidden_at,nullzero"`
	HiddenBy   int64     `bun:"hidden_by,nullzero"`
	CreatedAt  time.Time `bun:"created_at"`

	HTML template.HTML `bun:"-"`
	// Attachment is the name of the attached document and VersionID its latest version.
	Attachment string `bun:"-"`
	VersionID  int64  `bun:"-"`
}

// Hidden reports whether a coordinator hid the post.
func (p Post) Hidden() bool { return !p.HiddenAt.IsZero() }

// Roles of an area, in the order forms offer them.
var Roles = []string{"coordinator", "member", "reader"}

// Limits of the content.
const (
	MaxTitle = 200
	MaxBody  = 20000
	MaxName  = 200
	MaxDesc  = 5000
)

// Errors of the work areas.
var (
	ErrNoArea    = errors.New("workarea: no such area")
	ErrNoMember  = errors.New("workarea: no such member")
	ErrNoTopic   = errors.New("workarea: no such topic")
	ErrBadMember = errors.New("workarea: choose one ente or one person, and a role")
)

// FieldErrors maps a form's fields to the message ids of their errors.
type FieldErrors map[string]string

func (e FieldErrors) Error() string { return "workarea: the form has errors" }

// Actor is who acts, for the audit trail.
type Actor struct {
	UserID int64
	Name   string
	IP     string
}
