package content

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

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
	// Key is the front matter key the problem is about ("" for the file as a whole), and Rule
	// which rule it breaks: "required", "empty", "long", "date", "kind", "code", "ref", "enum",
	// "attachment" (the newsroom's form shows a message for each beside its field).
	Key, Rule string
	// Detail is the value the problem is about when the message names it (the key of an act
	// template's field): the messages' {{.Detail}}.
	Detail string
	// Problems lists every problem Parse found in the file, this one first; nil when it found
	// only this one. Parse returns the first problem, so callers that need one keep working.
	Problems []*FileError
}

// All returns every problem of the file: Problems, or the error itself alone.
func (e *FileError) All() []*FileError {
	if len(e.Problems) > 0 {
		return e.Problems
	}
	return []*FileError{e}
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
	var head, body string
	if rest := src[4:]; rest == "---" || strings.HasPrefix(rest, "---\n") {
		// an empty front matter: every required key is missing
		body = strings.TrimPrefix(strings.TrimPrefix(rest, "---"), "\n")
	} else {
		end := strings.Index(rest, "\n---\n")
		if end < 0 {
			if strings.HasSuffix(rest, "\n---") {
				end = len(rest) - 4
			} else {
				return nil, fail(1, "front matter is not closed by a line \"---\"")
			}
		}
		head = src[4 : 4+end+1]
		if after := 4 + end + 5; after <= len(src) {
			body = src[after:]
		}
	}

	m := &yaml.Node{Kind: yaml.MappingNode}
	if head != "" {
		var root yaml.Node
		if err := yaml.NewDecoder(bytes.NewReader([]byte(head))).Decode(&root); err != nil {
			return nil, fail(0, "front matter is not valid YAML: %s", shiftYAMLLine(err.Error()))
		}
		if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
			return nil, fail(2, "front matter must be a list of key: value lines")
		}
		m = root.Content[0]
	}
	def, ok := Lookup(t)
	if !ok {
		return nil, fail(0, "unknown content type %q", t)
	}
	doc := &Document{Type: t, Slug: slug, Body: body, Source: src}
	// The problems of the keys are collected, not returned at the first: an editor sees every
	// field to fix at once. A key that broke a rule is not checked again.
	var problems []*FileError
	bad := map[string]bool{}
	add := func(err error, key, rule string) {
		problems = append(problems, keyed(err, key, rule).(*FileError))
		if key != "" {
			bad[key] = true
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		line := k.Line + 1 // the opening "---" is line 1
		f, allowed := def.Field(k.Value)
		if !allowed {
			add(fail(line, "unknown key %q for a %s (allowed: %s)", k.Value, t, def.FieldNames()), "", "")
			continue
		}
		if seen[k.Value] {
			add(fail(line, "key %q appears twice", k.Value), "", "")
			continue
		}
		seen[k.Value] = true
		if err := decodeField(&doc.Front, f, v); err != nil {
			add(fail(v.Line+1, "%s: %s", k.Value, err), k.Value, ruleOf(f, err))
		}
	}
	for _, f := range def.Fields {
		if f.Required && !seen[f.Name] {
			add(fail(0, "missing required key %q", f.Name), f.Name, "required")
		}
	}
	for _, err := range checkValues(def, doc, bad) {
		add(fail(lineOf(m, err.key), "%s", err.msg), err.key, err.rule)
	}
	if len(problems) > 0 {
		first := problems[0]
		if len(problems) > 1 {
			first.Problems = problems
		}
		return nil, first
	}
	return doc, nil
}

type valueError struct{ key, msg, rule string }

func keyed(err error, key, rule string) error {
	fe := err.(*FileError)
	fe.Key, fe.Rule = key, rule
	return fe
}

// ruleOf names the rule a value that could not be decoded breaks.
func ruleOf(f Field, err error) string {
	if f.Kind == KindDate {
		return "date"
	}
	return "kind"
}

// checkValues enforces the rules of each field's kind on the decoded values, the title first,
// skipping the keys in skip; it returns every value that breaks one.
func checkValues(def *Definition, d *Document, skip map[string]bool) []*valueError {
	var out []*valueError
	check := func(f Field) {
		if skip[f.Name] {
			return
		}
		if err := checkValue(f, d.Front.Value(f.Name)); err != nil {
			out = append(out, err)
		}
	}
	if f, ok := def.Field("title"); ok {
		check(f)
	}
	for _, f := range def.Fields {
		if f.Name != "title" {
			check(f)
		}
	}
	return out
}

func checkValue(f Field, v any) *valueError {
	rule := ""
	bad := func(format string, args ...any) *valueError {
		return &valueError{f.Name, fmt.Sprintf(format, args...), rule}
	}
	if s, ok := v.(string); ok {
		if f.NotEmpty && strings.TrimSpace(s) == "" {
			rule = "empty"
			return bad("%s must not be empty", f.Name)
		}
		if f.MaxLen > 0 && len(s) > f.MaxLen {
			rule = "long"
			return bad("%s is longer than %d characters", f.Name, f.MaxLen)
		}
	}
	rule = string(f.Kind)
	if f.Kind == KindAttachments {
		rule = "attachment"
	}
	switch f.Kind {
	case KindCode:
		if s, _ := v.(string); (f.Required || s != "") && !codePattern.MatchString(s) {
			return bad("%s %q must be uppercase letters, digits and hyphens (e.g. VA-01)", f.Name, s)
		}
	case KindRef:
		if s, _ := v.(string); (f.Required || s != "") && !codePattern.MatchString(s) {
			label := string(f.Ref)
			if rd, ok := Lookup(f.Ref); ok && rd.Label != "" {
				label = rd.Label
			}
			return bad("%s %q must be a %s code (e.g. VA)", f.Name, s, label)
		}
	case KindEnum:
		if s, _ := v.(string); (f.Required || s != "") && !slices.Contains(f.Values, s) {
			return bad("%s %q must be one of %s", f.Name, s, strings.Join(f.Values, ", "))
		}
	case KindDate:
		if t, _ := v.(time.Time); f.Required && t.IsZero() {
			return bad("%s must be a date written as YYYY-MM-DD", f.Name)
		}
	case KindAttachments:
		refs, _ := v.([]AttachmentRef)
		for _, a := range refs {
			if !filePattern.MatchString(a.File) || strings.Contains(a.File, "..") {
				return bad("attachment file %q must be a plain file name in %s/", a.File, AttachmentsDir)
			}
			if strings.TrimSpace(a.Title) == "" {
				return bad("attachment %q needs a title", a.File)
			}
		}
	}
	return nil
}

// decodeField reads the value of key f into the front matter: a built-in key into its field of
// Front, another into Extra, as its kind says.
func decodeField(fr *Front, f Field, v *yaml.Node) error {
	if f.Kind == KindDate && (v.Kind != yaml.ScalarNode || v.Tag != "!!timestamp") {
		return fmt.Errorf("%q is not a date written as YYYY-MM-DD", v.Value)
	}
	target := builtinTarget(fr, f.Name)
	var extra any
	if target == nil {
		switch f.Kind {
		case KindInt:
			target = new(int)
		case KindBool:
			target = new(bool)
		case KindDate:
			target = new(time.Time)
		case KindList:
			target = new([]string)
		default:
			target = new(string)
		}
		extra = target
	}
	if err := v.Decode(target); err != nil {
		return fmt.Errorf("wrong kind of value (%s)", trimYAMLError(err.Error()))
	}
	if extra != nil {
		if fr.Extra == nil {
			fr.Extra = map[string]any{}
		}
		fr.Extra[f.Name] = reflect.ValueOf(extra).Elem().Interface()
	}
	return nil
}

// Value returns the value of key: a built-in key's field (dereferenced), or the entry of Extra
// (nil when absent).
func (f Front) Value(key string) any {
	if t := builtinTarget(&f, key); t != nil {
		v := reflect.ValueOf(t).Elem()
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return nil
			}
			v = v.Elem()
		}
		return v.Interface()
	}
	return f.Extra[key]
}

// Text returns the value of key as text: lists one item a line, dates as YYYY-MM-DD.
func (f Front) Text(key string) string {
	switch v := f.Value(key).(type) {
	case nil:
		return ""
	case string:
		return v
	case []string:
		return strings.Join(v, "\n")
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.Format("2006-01-02")
	case []AttachmentRef:
		var lines []string
		for _, a := range v {
			lines = append(lines, a.Title)
		}
		return strings.Join(lines, "\n")
	default:
		return fmt.Sprint(v)
	}
}

// MarshalJSON writes the built-in keys as their tags say, then the keys of Extra in name order.
func (f Front) MarshalJSON() ([]byte, error) {
	type plain Front
	b, err := json.Marshal(plain(f))
	if err != nil || len(f.Extra) == 0 {
		return b, err
	}
	keys := make([]string, 0, len(f.Extra))
	for k := range f.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := append([]byte(nil), b[:len(b)-1]...)
	for _, k := range keys {
		v := f.Extra[k]
		if t, ok := v.(time.Time); ok {
			v = t.Format("2006-01-02")
		}
		vb, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		kb, _ := json.Marshal(k)
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, kb...), ':'), vb...)
	}
	return append(out, '}'), nil
}

func lineOf(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line + 1
		}
	}
	return 0
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
