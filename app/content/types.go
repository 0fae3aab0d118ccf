package content

import (
	"regexp"
	"time"
)

// Type is the kind of a content entry.
type Type string

// Content types, each stored in its own folder of the content directory.
const (
	TypePage      Type = "page"
	TypeGuide     Type = "guide"
	TypeTaskForce Type = "taskforce"
	TypeProcedure Type = "procedure"
	TypeNews      Type = "news"
	TypeReport    Type = "report"
)

// Types lists every content type in the order they are imported (task forces before procedures).
var Types = []Type{TypePage, TypeGuide, TypeTaskForce, TypeProcedure, TypeNews, TypeReport}

// Dir is the folder of the content directory that holds entries of type t.
func (t Type) Dir() string {
	switch t {
	case TypePage:
		return "pagine"
	case TypeGuide:
		return "guida"
	case TypeTaskForce:
		return "task-force"
	case TypeProcedure:
		return "procedure"
	case TypeNews:
		return "notizie"
	case TypeReport:
		return "report"
	}
	return ""
}

// Valid reports whether t is a known content type.
func (t Type) Valid() bool { return t.Dir() != "" }

// AttachmentsDir is the sub-folder of a type's folder that holds attachment files.
const AttachmentsDir = "allegati"

// Front is the front matter of an entry; which keys a type accepts is set by fieldsByType.
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
}

// AttachmentRef names a file of the type's attachments folder and its human title.
type AttachmentRef struct {
	File  string `yaml:"file" json:"file"`
	Title string `yaml:"title" json:"title"`
}

// field describes one front matter key: whether it is required for the type.
type field struct {
	name     string
	required bool
}

var fieldsByType = map[Type][]field{
	TypePage:      {{"title", true}, {"summary", true}},
	TypeGuide:     {{"title", true}, {"summary", true}, {"weight", false}},
	TypeTaskForce: {{"code", true}, {"title", true}, {"summary", true}, {"weight", false}},
	TypeProcedure: {{"code", true}, {"title", true}, {"summary", true}, {"task_force", true},
		{"accepts_requests", false}, {"office", false}, {"responsible", false}, {"legal_basis", false},
		{"duration", false}, {"costs", false}, {"documents", false}, {"tags", false}},
	TypeNews:   {{"title", true}, {"summary", true}, {"date", true}, {"tags", false}},
	TypeReport: {{"title", true}, {"summary", true}, {"date", true}, {"attachments", false}},
}

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$`)
	filePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// ValidSlug reports whether s can name an entry in a URL.
func ValidSlug(s string) bool { return len(s) <= 200 && slugPattern.MatchString(s) }

// URL returns the public path of the entry of type t named slug.
func (t Type) URL(slug string) string {
	switch t {
	case TypeProcedure:
		return "/procedure/" + slug
	case TypeTaskForce:
		return "/task-force/" + slug
	case TypeGuide:
		return "/guida/" + slug
	case TypeNews:
		return "/notizie/" + slug
	case TypeReport:
		return "/report/" + slug
	}
	return "/pagine/" + slug
}
