package content

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Draft is what the newsroom's form sends: the values of the type's fields, as typed, and the
// Markdown body. Source turns it into the same file the import reads, so the same rules check it.
type Draft struct {
	Type Type
	Slug string
	// Base is the revision the author started from (0 for a new entry): a save or a transition
	// is refused when the entry moved on since.
	Base int64
	// BaseHash, when set, is the hash of Base's source as the form showed it: an autosave may
	// update a draft revision in place, and a save over a source changed since is refused too.
	BaseHash string
	// Fields holds each field's text: lists one item a line, dates as YYYY-MM-DD, booleans as
	// "true" or "false" ("" for the default).
	Fields map[string]string
	Body   string
	// Rename is the slug an existing entry's draft asks for ("" or the entry's own: no change).
	// It takes effect when the revision is published (see Service.goLive).
	Rename string
	// Files are the attachments a new entry comes with, on a type that has the attachments
	// field (the newsroom's form has none; a generated report has its data). Ignored on an
	// existing entry, whose attachments are kept.
	Files []NewFile
}

// NewFile is an attachment's name (a plain file name), title and bytes.
type NewFile struct {
	Name, Title string
	Data        []byte
}

// FormValues returns the values of a document's fields as the form shows them.
func FormValues(def *Definition, d *Document) map[string]string {
	out := map[string]string{}
	for _, f := range def.Fields {
		v := d.Front.Value(f.Name)
		if v == nil {
			continue
		}
		switch f.Kind {
		case KindInt:
			if n, _ := v.(int); n == 0 && !f.Required {
				continue
			}
		case KindBool:
			if b, ok := v.(bool); ok {
				out[f.Name] = fmt.Sprint(b)
			}
			continue
		case KindAttachments:
			continue // kept from the revision the draft started from (Source's keep)
		}
		out[f.Name] = d.Front.Text(f.Name)
	}
	return out
}

// fileRefs are the references of d.Files, as the front matter lists them.
func (d Draft) fileRefs() []AttachmentRef {
	var refs []AttachmentRef
	for _, f := range d.Files {
		refs = append(refs, AttachmentRef{File: f.Name, Title: f.Title})
	}
	return refs
}

// Source writes the draft as a content file: front matter with the type's keys in the
// registry's order (empty optional values left out), then the body. keep is the document the
// draft started from, whose attachments the form does not edit; nil for a new entry.
func (d Draft) Source(def *Definition, keep *Document) (string, error) {
	m := &yaml.Node{Kind: yaml.MappingNode}
	add := func(key string, v *yaml.Node) {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
	}
	for _, f := range def.Fields {
		raw := strings.ReplaceAll(d.Fields[f.Name], "\r\n", "\n")
		if f.Kind == KindAttachments {
			refs := d.fileRefs()
			if keep != nil {
				refs = keep.Front.Attachments
			}
			if len(refs) > 0 {
				var n yaml.Node
				if err := n.Encode(refs); err != nil {
					return "", fmt.Errorf("content: attachments: %w", err)
				}
				add(f.Name, &n)
			}
			continue
		}
		value := strings.TrimSpace(raw)
		if value == "" {
			continue // left out: the parser says when the key is required
		}
		switch f.Kind {
		case KindList:
			seq := &yaml.Node{Kind: yaml.SequenceNode}
			for _, line := range strings.Split(value, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: line})
				}
			}
			add(f.Name, seq)
		case KindInt, KindBool, KindDate:
			// Plain scalars: the parser decides whether they are what the kind asks, and says so.
			add(f.Name, &yaml.Node{Kind: yaml.ScalarNode, Value: value})
		default:
			if f.Kind == KindString || f.Kind == KindCode || f.Kind == KindRef || f.Kind == KindEnum {
				value = strings.Join(strings.Fields(value), " ") // one line
			} else {
				value = strings.TrimRight(raw, " \n")
			}
			add(f.Name, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
		}
	}
	var b strings.Builder
	b.WriteString("---\n")
	if len(m.Content) > 0 {
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(m); err != nil {
			return "", fmt.Errorf("content: front matter: %w", err)
		}
		_ = enc.Close()
	}
	b.WriteString("---\n")
	body := strings.ReplaceAll(d.Body, "\r\n", "\n")
	body = strings.TrimLeft(body, "\n")
	if body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	b.WriteString(body)
	return b.String(), nil
}

// Slugify makes a slug of a title: lowercase ASCII letters and digits, words joined by hyphens.
func Slugify(title string) string {
	repl := strings.NewReplacer("à", "a", "á", "a", "è", "e", "é", "e", "ì", "i", "í", "i", "ò", "o", "ó", "o", "ù", "u", "ú", "u", "'", " ", "’", " ")
	s := repl.Replace(strings.ToLower(title))
	var words []string
	var w strings.Builder
	flush := func() {
		if w.Len() > 0 {
			words = append(words, w.String())
			w.Reset()
		}
	}
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			w.WriteRune(r)
		} else {
			flush()
		}
	}
	flush()
	out := strings.Join(words, "-")
	for len(out) > 80 {
		i := strings.LastIndex(out[:80], "-")
		if i <= 0 {
			out = out[:80]
			break
		}
		out = out[:i]
	}
	return out
}
