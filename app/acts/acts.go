// Package acts is the knowledge base's help in drafting administrative acts: the templates of
// acts (delibere, determine, decreti, ordinanze, avvisi) that editors keep in the newsroom as the
// content type "modello", with their legal references, version and notes; the form in the
// reserved area that fills a template's fields and gives the act as an editable document (DOCX
// or ODT); and the record of which version each ente used, so that its people are told when a
// newer version supersedes it.
package acts

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"passhub/app/content"
)

// Type is the content type of the act templates.
const Type content.Type = "modello"

// Route is where the templates are served, in the reserved area.
const Route = "/area-riservata/modelli"

// URL is a template's page.
func URL(slug string) string { return Route + "/" + slug }

// Kinds are the kinds of act, in the order the list shows them; each is named by the message
// acts.kind.<value>.
var Kinds = []string{"delibera-giunta", "delibera-consiglio", "determina", "decreto", "ordinanza", "avviso"}

// Definition is the registration of the templates' content type. Its fields key lists the
// fields a person fills, one a line (see ParseField); the body is the act's text in Markdown with
// a {{key}} where each answer goes. SyncContent checks both at every publication.
var Definition = content.Definition{
	Name: Type, Label: "act template", Dir: "modelli", Route: Route,
	Fields: []content.Field{
		{Name: "title", Kind: content.KindString, Required: true, NotEmpty: true, MaxLen: 300},
		{Name: "summary", Kind: content.KindText, Required: true, NotEmpty: true},
		{Name: "act", Kind: content.KindEnum, Values: Kinds, Required: true},
		{Name: "version", Kind: content.KindInt, Required: true},
		{Name: "changes", Kind: content.KindText},
		{Name: "legal_basis", Kind: content.KindList},
		{Name: "fields", Kind: content.KindList, Required: true},
		{Name: "notes", Kind: content.KindText},
		{Name: "related", Kind: content.KindList},
		{Name: "updated", Kind: content.KindDate},
	},
}

func init() { content.MustRegister(Definition) }

// Input kinds of a template's field: a line, free text (paragraphs), a date, a number or amount.
const (
	InputLine   = "riga"
	InputText   = "testo"
	InputDate   = "data"
	InputNumber = "numero"
)

// Field is one answer a template asks for.
type Field struct {
	Key, Label, Help string
	Input            string // one of the Input… kinds
	Optional         bool
}

// MaxLen is the longest answer a field takes, in characters.
func (f Field) MaxLen() int {
	if f.Input == InputText {
		return 10000
	}
	return 500
}

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// FieldSyntaxError is a line of a template's fields that ParseField cannot read; Rule names what
// is wrong, for the newsroom's message.
type FieldSyntaxError struct {
	Line, Rule string
}

func (e *FieldSyntaxError) Error() string { return fmt.Sprintf("acts: field %q: %s", e.Line, e.Rule) }

// ParseField reads a line of a template's fields: "key | Label | kind | help", where key is
// lowercase letters, digits and underscores, kind is riga (the default), testo, data or numero,
// followed by "facoltativo" for an answer that may stay empty, and help is optional.
func ParseField(line string) (Field, error) {
	parts := strings.SplitN(line, "|", 4)
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts) < 2 {
		return Field{}, &FieldSyntaxError{line, "act_field_syntax"}
	}
	f := Field{Key: parts[0], Label: parts[1], Input: InputLine}
	if !keyPattern.MatchString(f.Key) {
		return Field{}, &FieldSyntaxError{line, "act_field_key"}
	}
	if f.Label == "" || utf8.RuneCountInString(f.Label) > 120 {
		return Field{}, &FieldSyntaxError{line, "act_field_label"}
	}
	if len(parts) > 2 && parts[2] != "" {
		words := strings.Fields(strings.ToLower(parts[2]))
		f.Input = words[0]
		switch f.Input {
		case InputLine, InputText, InputDate, InputNumber:
		default:
			return Field{}, &FieldSyntaxError{line, "act_field_input"}
		}
		for _, w := range words[1:] {
			if w != "facoltativo" {
				return Field{}, &FieldSyntaxError{line, "act_field_input"}
			}
			f.Optional = true
		}
	}
	if len(parts) > 3 {
		f.Help = parts[3]
		if utf8.RuneCountInString(f.Help) > 400 {
			return Field{}, &FieldSyntaxError{line, "act_field_help"}
		}
	}
	return f, nil
}

// placeholder is a {{key}} of a template's body.
var placeholder = regexp.MustCompile(`\{\{\s*([a-z][a-z0-9_]{0,39})\s*\}\}`)

// Placeholders lists the keys body names, in order of first appearance.
func Placeholders(body string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(body, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// Problem is what is wrong with a template: the front matter key it is about, the rule it
// breaks and the value the message names.
type Problem struct {
	Key, Rule, Detail string
}

// Check reads the fields of a template and checks them against its body: every line readable,
// every key once, every {{key}} of the body a field, every field used by the body. It returns
// the fields read and the first problem, if any.
func Check(lines []string, body string) ([]Field, *Problem) {
	var fields []Field
	seen := map[string]bool{}
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		f, err := ParseField(l)
		if err != nil {
			return nil, &Problem{"fields", err.(*FieldSyntaxError).Rule, strings.TrimSpace(l)}
		}
		if seen[f.Key] {
			return nil, &Problem{"fields", "act_field_twice", f.Key}
		}
		seen[f.Key] = true
		fields = append(fields, f)
	}
	if len(fields) == 0 {
		return nil, &Problem{"fields", "required", ""}
	}
	used := map[string]bool{}
	for _, k := range Placeholders(body) {
		if !seen[k] {
			return nil, &Problem{"body", "act_placeholder_unknown", k}
		}
		used[k] = true
	}
	for _, f := range fields {
		if !used[f.Key] {
			return nil, &Problem{"fields", "act_field_unused", f.Key}
		}
	}
	return fields, nil
}
