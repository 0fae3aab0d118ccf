package helpdesk

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"passhub/app/redact"
)

// ArticleType is the content type of a knowledge-base article (app/kb).
const ArticleType = "faq"

// Article is the draft of a knowledge-base article made from a resolved ticket, with the
// personal data removed: what the operator reviews before it goes to the newsroom.
type Article struct {
	Title, Summary, Question, Answer string
	// Removed lists what was taken out of the ticket's text, in order.
	Removed []redact.Removal
	// Original is the thread's text, marked where something was removed.
	Original []redact.Segment
}

// Draftable reports whether a ticket can become an article: resolved or closed, not merged.
func (t *Ticket) Draftable() bool {
	return (t.Status == StatusResolved || t.Status == StatusClosed) && t.MergedInto == 0
}

// ArticleOf drafts an article from a ticket: its subject, the requester's first message as the
// question and the desk's public answers as the answer, with names (the requester's, the
// operators', everyone who wrote in the thread), fiscal codes, e-mail addresses, phone numbers,
// street addresses and IBANs removed, and the ente's name too when withoutEnte.
func (s *Service) ArticleOf(ctx context.Context, t *Ticket, withoutEnte bool) (*Article, error) {
	thread, err := s.Thread(ctx, t.ID, false)
	if err != nil {
		return nil, err
	}
	names := []string{t.RequesterName}
	var question []string
	var answers []string
	for _, m := range thread {
		names = append(names, m.AuthorName)
		if m.Operator {
			answers = append(answers, m.Body)
		} else if len(answers) == 0 {
			question = append(question, m.Body)
		}
	}
	o := redact.Options{Names: names}
	if withoutEnte && t.EnteName != "" {
		o.Ente = []string{t.EnteName, strings.TrimPrefix(strings.TrimPrefix(t.EnteName, "Comune di "), "Provincia di ")}
	}
	// One text, so the operator sees every removal in one place; split back at the markers.
	const sep = "\n\n@@@\n\n"
	full := t.Subject + sep + strings.Join(question, "\n\n") + sep + strings.Join(answers, "\n\n")
	r := redact.Redact(full, o)
	parts := strings.SplitN(r.Text, sep, 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	a := &Article{Title: strings.TrimSpace(parts[0]), Question: strings.TrimSpace(parts[1]), Answer: strings.TrimSpace(parts[2]),
		Removed: r.Removals, Original: redact.Highlight(strings.ReplaceAll(full, sep, "\n\n"), shifted(r, full, sep))}
	a.Summary = firstSentence(a.Question, 300)
	return a, nil
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

// Body is the article's Markdown body.
func (a *Article) Body(question, answer string) string {
	return fmt.Sprintf("## %s\n\n%s\n\n## %s\n\n%s\n", question, strings.TrimSpace(a.Question), answer, strings.TrimSpace(a.Answer))
}
