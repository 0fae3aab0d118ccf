// Package kb is the public knowledge base at /faq: articles (frequent questions, how-tos, notes
// on changes of the law) written and published through the newsroom as the content type "faq",
// grouped by category, filtered by tag, searched with the site search, and the readers' "was it
// useful?" votes, whose figures the editors read at /redazione/faq/utilita.
package kb

import (
	"slices"

	"passhub/app/content"
)

// Type is the content type of the knowledge base's articles.
const Type content.Type = "faq"

// Route is where the knowledge base is served.
const Route = "/faq"

// Choice is one value of an enumerated field with the message key that names it.
type Choice struct {
	Value   string
	Message string
}

// Categories are the subjects of the knowledge base, in the order the index shows them: the
// same categories the help desk files its tickets under, so a ticket can point to the articles
// of its category. Each is named by the message kb.category.<value>.
var Categories = []Choice{
	{"tecnica", "kb.category.tecnica"},
	{"amministrativa", "kb.category.amministrativa"},
	{"spid-cie", "kb.category.spid-cie"},
	{"pagopa", "kb.category.pagopa"},
	{"uso-piattaforma", "kb.category.uso-piattaforma"},
	{"normativa", "kb.category.normativa"},
}

// Kinds are the kinds of article, each named by the message kb.kind.<value>.
var Kinds = []Choice{
	{"faq", "kb.kind.faq"},
	{"guida-operativa", "kb.kind.guida-operativa"},
	{"novita-normativa", "kb.kind.novita-normativa"},
}

// values lists the values of choices.
func values(choices []Choice) []string {
	out := make([]string, len(choices))
	for i, c := range choices {
		out[i] = c.Value
	}
	return out
}

// CategoryValues lists the values of Categories, in order.
func CategoryValues() []string { return values(Categories) }

// ValidCategory reports whether v is one of Categories.
func ValidCategory(v string) bool { return slices.Contains(values(Categories), v) }

// CategoryMessage is the message key that names category v ("" for an unknown one).
func CategoryMessage(v string) string {
	for _, c := range Categories {
		if c.Value == v {
			return c.Message
		}
	}
	return ""
}

// CategoryURL is the index of the articles of category v: what the help desk links a ticket of
// that category to.
func CategoryURL(v string) string { return Route + "?categoria=" + v }

// Definition is the registration of the knowledge base's content type. The content package's
// refs name codes, not slugs, so "related" is a list whose slugs this package checks (SyncContent):
// on import an unknown slug is reported, in the newsroom it refuses the publication.
var Definition = content.Definition{
	Name: Type, Label: "knowledge base article", Dir: "faq", Route: Route,
	Template: "kb/article", ListTemplate: "kb/index", ListTitle: "kb.title", Tags: true,
	Search: true,
	Fields: []content.Field{
		{Name: "title", Kind: content.KindString, Required: true, NotEmpty: true, MaxLen: 300},
		{Name: "summary", Kind: content.KindText, Required: true, NotEmpty: true},
		{Name: "category", Kind: content.KindEnum, Values: values(Categories), Required: true},
		{Name: "kind", Kind: content.KindEnum, Values: values(Kinds), Required: true},
		{Name: "tags", Kind: content.KindList, Search: true},
		{Name: "related", Kind: content.KindList},
		{Name: "updated", Kind: content.KindDate},
	},
}

func init() { content.MustRegister(Definition) }
