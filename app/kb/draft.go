package kb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"passhub/app/form"
	"passhub/app/redact"
	"passhub/app/web"
)

// Source is what a draft article is made from: a concluded exchange (a resolved help desk ticket,
// a concluded assistance request) as its title, question and answer, with the names of the people
// in it and the ente's.
type Source struct {
	Title, Question, Answer string
	// Names are the people to remove from the text (the requester, the ente's people, the
	// operators or experts); empty ones are ignored.
	Names []string
	// Ente is the ente's name, removed too when WithoutEnte.
	Ente        string
	WithoutEnte bool
}

// Draft is a knowledge-base article drafted from a Source with the personal data removed: what
// the person reviews before it goes to the newsroom.
type Draft struct {
	Title, Summary, Question, Answer string
	// Removed lists what was taken out of the source's text, in order.
	Removed []redact.Removal
	// Original is the source's text, marked where something was removed.
	Original []redact.Segment
}

// Redacted drafts an article from src: names, fiscal codes, e-mail addresses, phone numbers,
// street addresses and IBANs removed (app/redact), and the ente's name too when src.WithoutEnte;
// the summary is the question's first sentence.
func Redacted(src Source) *Draft {
	var names []string
	for _, n := range src.Names {
		if strings.TrimSpace(n) != "" {
			names = append(names, n)
		}
	}
	o := redact.Options{Names: names}
	if src.WithoutEnte && src.Ente != "" {
		o.Ente = []string{src.Ente, strings.TrimPrefix(strings.TrimPrefix(src.Ente, "Comune di "), "Provincia di ")}
	}
	// One text, so the person sees every removal in one place; split back at the markers.
	const sep = "\n\n@@@\n\n"
	full := src.Title + sep + src.Question + sep + src.Answer
	r := redact.Redact(full, o)
	parts := strings.SplitN(r.Text, sep, 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	d := &Draft{Title: strings.TrimSpace(parts[0]), Question: strings.TrimSpace(parts[1]), Answer: strings.TrimSpace(parts[2]),
		Removed: r.Removals, Original: redact.Highlight(strings.ReplaceAll(full, sep, "\n\n"), shifted(r, full, sep))}
	d.Summary = firstSentence(d.Question, 300)
	return d
}

// shifted is r with its offsets moved to the text where each separator became two line breaks.
func shifted(r redact.Result, full, sep string) redact.Result {
	out := redact.Result{Text: r.Text, Removals: make([]redact.Removal, len(r.Removals))}
	for i, rm := range r.Removals {
		before := strings.Count(full[:rm.Start], sep) * (len(sep) - 2)
		rm.Start -= before
		rm.End -= before
		out.Removals[i] = rm
	}
	return out
}

// firstSentence is the text's first sentence, at most max characters.
func firstSentence(text string, max int) string {
	text = strings.Join(strings.Fields(text), " ")
	if i := strings.IndexAny(text, ".?!"); i > 0 {
		text = text[:i+1]
	}
	if utf8.RuneCountInString(text) > max {
		text = string([]rune(text)[:max-1]) + "…"
	}
	return text
}

// Body is the article's Markdown body, under the headings question and answer.
func (d *Draft) Body(question, answer string) string {
	return fmt.Sprintf("## %s\n\n%s\n\n## %s\n\n%s\n", question, strings.TrimSpace(d.Question), answer, strings.TrimSpace(d.Answer))
}

// Drafter writes a knowledge-base draft in the newsroom.
type Drafter interface {
	// Enabled reports whether the knowledge base's content type is registered.
	Enabled() bool
	// Draft saves a new draft article by who and returns the newsroom's page of it; a field the
	// newsroom refuses comes back as form.Errors (title, summary or answer).
	Draft(ctx context.Context, who web.Actor, title, summary, category, body string) (string, error)
}

// Review is the review page of a draft and its sending to the newsroom, the same wherever the
// draft comes from: each page template includes partials/kb_draft with the data Render gives it.
type Review struct {
	Web    *web.Server
	Drafts Drafter
}

// Enabled reports whether drafts can be sent at all.
func (rv Review) Enabled() bool { return rv.Drafts != nil && rv.Drafts.Enabled() }

// WithoutEnte is the box "remove the ente's name" of the review page (?ente=1).
func WithoutEnte(c *fiber.Ctx) bool { return c.Query("ente") == "1" }

// Render renders the page template tmpl with the draft: data gets Draft, Errors and WithoutEnte.
func (rv Review) Render(c *fiber.Ctx, tmpl string, d *Draft, errs form.Errors, data fiber.Map) error {
	rv.Web.CSRFToken(c)
	data["Draft"], data["Errors"], data["WithoutEnte"] = d, rv.Web.Messages(c, errs), WithoutEnte(c)
	return rv.Web.Page(c, tmpl, data)
}

// Sent is a draft the newsroom saved.
type Sent struct {
	Title string
	// URL is the draft's page in the newsroom.
	URL string
}

// Send saves the draft typed in the review form as a newsroom draft of category. When the
// newsroom refuses a field, it renders tmpl again (422) with what was typed beside what src
// removed and returns a nil Sent; the handler answers with the redirect otherwise.
func (rv Review) Send(c *fiber.Ctx, src Source, category, tmpl string, data fiber.Map) (*Sent, error) {
	d := &Draft{Title: strings.TrimSpace(c.FormValue("title")), Summary: strings.TrimSpace(c.FormValue("summary")),
		Question: c.FormValue("question"), Answer: c.FormValue("answer")}
	// The knowledge base is in Italian, whatever the language of the page.
	body := d.Body(rv.Web.I18n.T("it", "kb.draft.question"), rv.Web.I18n.T("it", "kb.draft.answer"))
	url, err := rv.Drafts.Draft(c.UserContext(), web.ActorOf(c), d.Title, d.Summary, category, body)
	var bad form.Errors
	if errors.As(err, &bad) {
		src.WithoutEnte = WithoutEnte(c)
		fresh := Redacted(src)
		d.Removed, d.Original = fresh.Removed, fresh.Original // what was removed, beside what was typed
		c.Status(fiber.StatusUnprocessableEntity)
		return nil, rv.Render(c, tmpl, d, bad, data)
	}
	if err != nil {
		return nil, err
	}
	return &Sent{Title: d.Title, URL: url}, nil
}
