// Package i18n holds the user interface's message catalogues (Italian first, English) and picks a
// visitor's language.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages the interface speaks, the default first.
var Languages = []string{"it", "en"}

// Default is the language used when nothing else is known.
const Default = "it"

// Catalogue translates message ids into the interface's languages.
type Catalogue struct {
	localizers map[string]*goi18n.Localizer
	matcher    language.Matcher
}

// Load reads, for every language, i18n/<lang>.json and the domain catalogues i18n/<name>.<lang>.json
// from fsys; a message missing in a language is taken from Italian. A message id defined twice for
// one language is an error, so a catalogue never silently overrides another.
func Load(fsys fs.FS) (*Catalogue, error) {
	bundle := goi18n.NewBundle(language.Italian)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalogue{localizers: map[string]*goi18n.Localizer{}}
	var tags []language.Tag
	for _, lang := range Languages {
		files, err := fs.Glob(fsys, "i18n/*."+lang+".json")
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		files = append([]string{"i18n/" + lang + ".json"}, files...)
		seen := map[string]string{}
		for _, name := range files {
			raw, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("i18n: %w", err)
			}
			var ids map[string]json.RawMessage
			if err := json.Unmarshal(raw, &ids); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", name, err)
			}
			for id := range ids {
				if prev, dup := seen[id]; dup {
					return nil, fmt.Errorf("i18n: %s: message %q already defined in %s", name, id, prev)
				}
				seen[id] = name
			}
			if _, err := bundle.ParseMessageFileBytes(raw, path.Base(name)); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", name, err)
			}
		}
		c.localizers[lang] = goi18n.NewLocalizer(bundle, lang, Default)
		tags = append(tags, language.Make(lang))
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// T returns the message id in lang, with args as alternating name, value pairs for its template;
// a "Count" argument picks the message's plural form (one, other). An id may carry its arguments
// as a query ("validation.too_short?Min=5", see form.With), the way services name a message for a
// field. An unknown id is returned as it is, so a missing message shows instead of breaking a page.
func (c *Catalogue) T(lang, id string, args ...any) string {
	if base, query, ok := strings.Cut(id, "?"); ok { // an id with its arguments (With), as services return them
		id = base
		if v, err := url.ParseQuery(query); err == nil {
			for k := range v {
				args = append(args, k, v.Get(k))
			}
		}
	}
	l, ok := c.localizers[lang]
	if !ok {
		l = c.localizers[Default]
	}
	var data map[string]any
	if len(args) > 1 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data}
	if n, ok := data["Count"]; ok {
		cfg.PluralCount = n // a message with "one" and "other" forms agrees with its count
	}
	msg, err := l.Localize(cfg)
	if err != nil || msg == "" {
		return id
	}
	return msg
}

// Has reports whether id is a message of the Italian catalogue.
func (c *Catalogue) Has(id string) bool {
	_, err := c.localizers[Default].Localize(&goi18n.LocalizeConfig{MessageID: id})
	return err == nil
}

// Supported reports whether lang is one of the interface's languages.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Match picks the best interface language for an Accept-Language header.
func (c *Catalogue) Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Languages[i]
}
