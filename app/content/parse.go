package content

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Document is one parsed content file.
type Document struct {
	Type  Type
	Slug  string
	Front Front
	// Body is the Markdown after the front matter.
	Body string
	// Source is the whole file, front matter included, exactly as read.
	Source string
}

// FileError says what is wrong with a content file, and where.
type FileError struct {
	Path string
	Line int
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Parse reads a content file of type t named slug; path is used in errors only. Every problem of
// the front matter is reported with its line.
func Parse(t Type, slug, path string, raw []byte) (*Document, error) {
	fail := func(line int, format string, args ...any) error {
		return &FileError{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if !ValidSlug(slug) {
		return nil, fail(0, "file name %q is not a valid slug (lowercase letters, digits and hyphens)", slug)
	}
	src := string(raw)
	if !strings.HasPrefix(src, "---\n") {
		return nil, fail(1, "missing front matter: the file must start with a line \"---\"")
	}
	end := strings.Index(src[4:], "\n---\n")
	if end < 0 {
		if strings.HasSuffix(src[4:], "\n---") {
			end = len(src[4:]) - 4
		} else {
			return nil, fail(1, "front matter is not closed by a line \"---\"")
		}
	}
	head := src[4 : 4+end+1]
	body := ""
	if after := 4 + end + 5; after <= len(src) {
		body = src[after:]
	}

	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader([]byte(head))).Decode(&root); err != nil {
		return nil, fail(0, "front matter is not valid YAML: %s", shiftYAMLLine(err.Error()))
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fail(2, "front matter must be a list of key: value lines")
	}
	doc := &Document{Type: t, Slug: slug, Body: body, Source: src}
	allowed := map[string]bool{}
	for _, f := range fieldsByType[t] {
		allowed[f.name] = true
	}
	seen := map[string]bool{}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		line := k.Line + 1 // the opening "---" is line 1
		if !allowed[k.Value] {
			return nil, fail(line, "unknown key %q for a %s (allowed: %s)", k.Value, t, allowedList(t))
		}
		if seen[k.Value] {
			return nil, fail(line, "key %q appears twice", k.Value)
		}
		seen[k.Value] = true
		if err := decodeField(&doc.Front, k.Value, v); err != nil {
			return nil, fail(v.Line+1, "%s: %s", k.Value, err)
		}
	}
	for _, f := range fieldsByType[t] {
		if f.required && !seen[f.name] {
			return nil, fail(0, "missing required key %q", f.name)
		}
	}
	if err := checkValues(doc); err != nil {
		return nil, fail(lineOf(m, err.key), "%s", err.msg)
	}
	return doc, nil
}

type valueError struct{ key, msg string }

// checkValues enforces rules on the decoded values.
func checkValues(d *Document) *valueError {
	f := &d.Front
	if strings.TrimSpace(f.Title) == "" {
		return &valueError{"title", "title must not be empty"}
	}
	if len(f.Title) > 300 {
		return &valueError{"title", "title is longer than 300 characters"}
	}
	if (d.Type == TypeTaskForce || d.Type == TypeProcedure) && !codePattern.MatchString(f.Code) {
		return &valueError{"code", fmt.Sprintf("code %q must be uppercase letters, digits and hyphens (e.g. VA-01)", f.Code)}
	}
	if d.Type == TypeProcedure && !codePattern.MatchString(f.TaskForce) {
		return &valueError{"task_force", fmt.Sprintf("task_force %q must be a task force code (e.g. VA)", f.TaskForce)}
	}
	if (d.Type == TypeNews || d.Type == TypeReport) && f.Date.IsZero() {
		return &valueError{"date", "date must be a date written as YYYY-MM-DD"}
	}
	for _, a := range f.Attachments {
		if !filePattern.MatchString(a.File) || strings.Contains(a.File, "..") {
			return &valueError{"attachments", fmt.Sprintf("attachment file %q must be a plain file name in %s/", a.File, AttachmentsDir)}
		}
		if strings.TrimSpace(a.Title) == "" {
			return &valueError{"attachments", fmt.Sprintf("attachment %q needs a title", a.File)}
		}
	}
	return nil
}

func decodeField(f *Front, key string, v *yaml.Node) error {
	var target any
	switch key {
	case "title":
		target = &f.Title
	case "summary":
		target = &f.Summary
	case "date":
		if v.Kind != yaml.ScalarNode || v.Tag != "!!timestamp" {
			return fmt.Errorf("%q is not a date written as YYYY-MM-DD", v.Value)
		}
		target = &f.Date
	case "weight":
		target = &f.Weight
	case "tags":
		target = &f.Tags
	case "code":
		target = &f.Code
	case "task_force":
		target = &f.TaskForce
	case "accepts_requests":
		target = &f.AcceptsRequests
	case "office":
		target = &f.Office
	case "responsible":
		target = &f.Responsible
	case "legal_basis":
		target = &f.LegalBasis
	case "duration":
		target = &f.Duration
	case "costs":
		target = &f.Costs
	case "documents":
		target = &f.Documents
	case "attachments":
		target = &f.Attachments
	default:
		return fmt.Errorf("unknown key")
	}
	if err := v.Decode(target); err != nil {
		return fmt.Errorf("wrong kind of value (%s)", trimYAMLError(err.Error()))
	}
	return nil
}

func lineOf(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line + 1
		}
	}
	return 0
}

func allowedList(t Type) string {
	names := make([]string, 0, len(fieldsByType[t]))
	for _, f := range fieldsByType[t] {
		names = append(names, f.name)
	}
	return strings.Join(names, ", ")
}

// shiftYAMLLine turns "yaml: line N: msg" into "line N+1: msg", counting the opening "---".
func shiftYAMLLine(msg string) string {
	var n int
	var rest string
	if _, err := fmt.Sscanf(msg, "yaml: line %d:", &n); err == nil {
		if i := strings.Index(msg, ": "); i >= 0 {
			rest = msg[strings.Index(msg, ":")+1:]
			rest = rest[strings.Index(rest, ":")+1:]
		}
		return fmt.Sprintf("line %d:%s", n+1, rest)
	}
	return strings.TrimPrefix(msg, "yaml: ")
}

func trimYAMLError(msg string) string {
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
	msg = strings.TrimSpace(msg)
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "line ") {
		msg = msg[i+2:]
	}
	return msg
}
