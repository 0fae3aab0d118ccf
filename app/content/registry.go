package content

import (
	"fmt"
	"strings"
	"sync"
)

// Kind is the kind of value a front matter key holds; it decides how the value is read and
// checked, and how search and the templates see it.
type Kind string

// Field kinds.
const (
	KindString      Kind = "string"      // a line of text
	KindText        Kind = "text"        // free text, may span lines
	KindMarkdown    Kind = "markdown"    // text written in Markdown (templates render it with markdown)
	KindInt         Kind = "int"         // a whole number
	KindBool        Kind = "bool"        // true or false
	KindDate        Kind = "date"        // a date written as YYYY-MM-DD
	KindList        Kind = "list"        // a list of lines
	KindCode        Kind = "code"        // an uppercase code such as VA-01
	KindRef         Kind = "ref"         // the code of an entry of another type (Field.Ref)
	KindEnum        Kind = "enum"        // one of Field.Values
	KindAttachments Kind = "attachments" // files of the type's allegati/ folder, each with a title
)

// Field describes one front matter key of a type.
type Field struct {
	Name     string
	Kind     Kind
	Required bool
	// NotEmpty refuses a blank value; MaxLen (in bytes) a longer one.
	NotEmpty bool
	MaxLen   int
	// Ref is the type whose code a KindRef value names; Values the choices of a KindEnum.
	Ref    Type
	Values []string
	// Search puts the value in the entry's searchable text (the body always is).
	Search bool
	// Facet names the search facet the value fills (only "procedure" today).
	Facet string
	// TaskForce makes the value the entry's task force, which listings filter on.
	TaskForce bool
}

// Definition describes a content type: everything import, export, validation, the API, search
// and the public routes need to know about it.
type Definition struct {
	Name Type
	// Label names the type in messages ("task force").
	Label string
	// Dir is the folder of the content directory that holds its files.
	Dir string
	// Fields are the front matter keys it accepts, in the order they are listed in messages.
	Fields []Field
	// Route is the public path prefix of its entries: an entry's URL is Route + "/" + slug.
	Route string
	// Template is the page template the portal renders an entry with; "" when another package
	// serves the route (the catalogue serves task forces and procedures).
	Template string
	// ListTemplate is the template of the listing at Route; "" for no listing. ListTitle is the
	// message key of the listing's title (and of the entry's breadcrumb).
	ListTemplate string
	ListTitle    string
	// Paged lists portal.PageSize entries a page and filters by ?tag=; TagTitle is the message
	// key of a listing filtered by a tag.
	Paged    bool
	TagTitle string
	// ByWeight orders the listing by weight; Sidebar shows the listing beside each entry.
	ByWeight bool
	Sidebar  bool
	// Tags links an entry's tags to the listing filtered by each.
	Tags bool
	// Attachments accepts the "attachments" key and serves the files at Route/{slug}/allegati/{name}.
	Attachments bool
	// Search indexes its published entries.
	Search bool
	// DirectPublish lets an editor publish an entry of this type without a publisher's review.
	DirectPublish bool
}

// Field returns the field named name.
func (d *Definition) Field(name string) (Field, bool) {
	for _, f := range d.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// FieldNames lists the keys it accepts, comma separated.
func (d *Definition) FieldNames() string {
	names := make([]string, 0, len(d.Fields))
	for _, f := range d.Fields {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

var registry struct {
	sync.RWMutex
	order []Type
	defs  map[Type]*Definition
}

// Register adds a content type. Types are imported in the order they are registered (task forces
// before procedures). It fails on a definition that cannot work: a duplicate name or folder, a
// missing title field, a built-in key of the wrong kind, a ref to an unknown type.
func Register(d Definition) error {
	if err := check(&d); err != nil {
		return fmt.Errorf("content: register type %q: %w", d.Name, err)
	}
	registry.Lock()
	defer registry.Unlock()
	if registry.defs == nil {
		registry.defs = map[Type]*Definition{}
	}
	if _, dup := registry.defs[d.Name]; dup {
		return fmt.Errorf("content: register type %q: already registered", d.Name)
	}
	for _, o := range registry.defs {
		if o.Dir == d.Dir {
			return fmt.Errorf("content: register type %q: folder %q is used by %q", d.Name, d.Dir, o.Name)
		}
		if d.Route != "" && o.Route == d.Route {
			return fmt.Errorf("content: register type %q: route %q is used by %q", d.Name, d.Route, o.Name)
		}
	}
	for _, f := range d.Fields {
		if f.Kind == KindRef && f.Ref != d.Name && registry.defs[f.Ref] == nil {
			return fmt.Errorf("content: register type %q: field %q refers to unknown type %q", d.Name, f.Name, f.Ref)
		}
	}
	d.Fields = append([]Field(nil), d.Fields...)
	registry.defs[d.Name] = &d
	registry.order = append(registry.order, d.Name)
	return nil
}

// MustRegister is Register that panics, for registrations at start.
func MustRegister(d Definition) {
	if err := Register(d); err != nil {
		panic(err)
	}
}

// Unregister removes a type registered by Register (tests that register a type of their own).
func Unregister(t Type) {
	registry.Lock()
	defer registry.Unlock()
	delete(registry.defs, t)
	for i, o := range registry.order {
		if o == t {
			registry.order = append(registry.order[:i:i], registry.order[i+1:]...)
			break
		}
	}
}

// Lookup returns the definition of type t.
func Lookup(t Type) (*Definition, bool) {
	registry.RLock()
	defer registry.RUnlock()
	d, ok := registry.defs[t]
	return d, ok
}

// Definitions returns every registered type, in registration order.
func Definitions() []*Definition {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]*Definition, 0, len(registry.order))
	for _, t := range registry.order {
		out = append(out, registry.defs[t])
	}
	return out
}

// Types lists every registered type, in registration (import) order.
func Types() []Type {
	registry.RLock()
	defer registry.RUnlock()
	return append([]Type(nil), registry.order...)
}

// SearchTypes lists the types whose entries are indexed.
func SearchTypes() []Type {
	var out []Type
	for _, d := range Definitions() {
		if d.Search {
			out = append(out, d.Name)
		}
	}
	return out
}

// Searchable reports whether entries of type t are indexed.
func Searchable(t Type) bool {
	d, ok := Lookup(t)
	return ok && d.Search
}

func check(d *Definition) error {
	if !slugPattern.MatchString(string(d.Name)) || strings.Contains(string(d.Name), "-") {
		return fmt.Errorf("name must be lowercase letters and digits")
	}
	if !slugPattern.MatchString(d.Dir) {
		return fmt.Errorf("folder %q must be lowercase letters, digits and hyphens", d.Dir)
	}
	if d.Route != "" && (!strings.HasPrefix(d.Route, "/") || strings.HasSuffix(d.Route, "/")) {
		return fmt.Errorf("route %q must start with / and not end with it", d.Route)
	}
	if d.ListTemplate != "" && d.Template == "" {
		return fmt.Errorf("a listing needs an entry template")
	}
	if d.Template != "" && d.Route == "" {
		return fmt.Errorf("a template needs a route")
	}
	seen := map[string]bool{}
	for _, f := range d.Fields {
		if seen[f.Name] {
			return fmt.Errorf("field %q twice", f.Name)
		}
		seen[f.Name] = true
		if !fieldNamePattern.MatchString(f.Name) {
			return fmt.Errorf("field name %q must be lowercase letters, digits and underscores", f.Name)
		}
		if k, builtin := builtinKinds[f.Name]; builtin && f.Kind != k {
			return fmt.Errorf("field %q is built in with kind %s, not %s", f.Name, k, f.Kind)
		}
		switch f.Kind {
		case KindString, KindText, KindMarkdown, KindInt, KindBool, KindDate, KindList, KindCode:
		case KindRef:
			if f.Ref == "" {
				return fmt.Errorf("field %q: a ref needs the type it refers to", f.Name)
			}
		case KindEnum:
			if len(f.Values) == 0 {
				return fmt.Errorf("field %q: an enum needs its values", f.Name)
			}
		case KindAttachments:
			if f.Name != "attachments" || !d.Attachments {
				return fmt.Errorf("field %q: only the \"attachments\" key of a type that accepts attachments holds files", f.Name)
			}
		default:
			return fmt.Errorf("field %q: unknown kind %q", f.Name, f.Kind)
		}
	}
	if !seen["title"] {
		return fmt.Errorf("every type needs a title field")
	}
	return nil
}
