package content

import (
	"regexp"
	"time"
)

// Type is the kind of a content entry; what each type is (its folder, fields, route, template…)
// is described by its registration, see registry.go.
type Type string

// The shipped content types, registered in builtin.go.
const (
	TypePage      Type = "page"
	TypeGuide     Type = "guide"
	TypeTaskForce Type = "taskforce"
	TypeProcedure Type = "procedure"
	TypeNews      Type = "news"
	TypeReport    Type = "report"
)

// Dir is the folder of the content directory that holds entries of type t ("" if t is unknown).
func (t Type) Dir() string {
	if d, ok := Lookup(t); ok {
		return d.Dir
	}
	return ""
}

// Valid reports whether t is a registered content type.
func (t Type) Valid() bool {
	_, ok := Lookup(t)
	return ok
}

// URL returns the public path of the entry of type t named slug: "" for a type registered
// without a route, under /pagine (as pages are) for an unknown type.
func (t Type) URL(slug string) string {
	if d, ok := Lookup(t); ok {
		if d.Route == "" {
			return ""
		}
		return d.Route + "/" + slug
	}
	return "/pagine/" + slug
}

// AttachmentsDir is the sub-folder of a type's folder that holds attachment files.
const AttachmentsDir = "allegati"

// Front is the front matter of an entry; which keys a type accepts is set by its registration.
// The keys below are the built-in ones (each has a fixed kind); a type may declare keys of its
// own, whose values land in Extra.
type Front struct {
	Title           string          `yaml:"title" json:"title"`
	Summary         string          `yaml:"summary" json:"summary"`
	Date            time.Time       `yaml:"date,omitempty" json:"date,omitzero"`
	Weight          int             `yaml:"weight,omitempty" json:"weight,omitempty"`
	Tags            []string        `yaml:"tags,omitempty" json:"tags,omitempty"`
	Code            string          `yaml:"code,omitempty" json:"code,omitempty"`
	TaskForce       string          `yaml:"task_force,omitempty" json:"task_force,omitempty"`
	AcceptsRequests *bool           `yaml:"accepts_requests,omitempty" json:"accepts_requests,omitempty"`
	Office          string          `yaml:"office,omitempty" json:"office,omitempty"`
	Responsible     string          `yaml:"responsible,omitempty" json:"responsible,omitempty"`
	LegalBasis      []string        `yaml:"legal_basis,omitempty" json:"legal_basis,omitempty"`
	Duration        string          `yaml:"duration,omitempty" json:"duration,omitempty"`
	Costs           string          `yaml:"costs,omitempty" json:"costs,omitempty"`
	Documents       []string        `yaml:"documents,omitempty" json:"documents,omitempty"`
	Attachments     []AttachmentRef `yaml:"attachments,omitempty" json:"attachments,omitempty"`
	// Extra holds the values of the keys a type declares beyond the built-in ones, by key: a
	// string, int, bool, time.Time or []string according to the field's kind. JSON shows them
	// beside the built-in keys.
	Extra map[string]any `yaml:"-" json:"-"`
}

// AttachmentRef names a file of the type's attachments folder and its human title.
type AttachmentRef struct {
	File  string `yaml:"file" json:"file"`
	Title string `yaml:"title" json:"title"`
}

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$`)
	filePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// ValidSlug reports whether s can name an entry in a URL.
func ValidSlug(s string) bool { return len(s) <= 200 && slugPattern.MatchString(s) }
