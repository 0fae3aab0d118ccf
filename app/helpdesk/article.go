package helpdesk

import (
	"context"
	"strings"

	"passhub/app/kb"
)

// ArticleType is the content type of a knowledge-base article (app/kb).
const ArticleType = "faq"

// Article is the draft of a knowledge-base article made from a resolved ticket, with the
// personal data removed (app/kb's Draft, shared with the requests' drafts).
type Article = kb.Draft

// Draftable reports whether a ticket can become an article: resolved or closed, not merged.
func (t *Ticket) Draftable() bool {
	return (t.Status == StatusResolved || t.Status == StatusClosed) && t.MergedInto == 0
}

// ArticleSource is what a ticket's article is drafted from: its subject, the requester's first
// message as the question and the desk's public answers as the answer, with the requester's
// name, the operators' and everyone's who wrote in the thread, and the ente's.
func (s *Service) ArticleSource(ctx context.Context, t *Ticket) (kb.Source, error) {
	thread, err := s.Thread(ctx, t.ID, false)
	if err != nil {
		return kb.Source{}, err
	}
	src := kb.Source{Title: t.Subject, Names: []string{t.RequesterName}, Ente: t.EnteName}
	var question, answers []string
	for _, m := range thread {
		src.Names = append(src.Names, m.AuthorName)
		if m.Operator {
			answers = append(answers, m.Body)
		} else if len(answers) == 0 {
			question = append(question, m.Body)
		}
	}
	src.Question, src.Answer = strings.Join(question, "\n\n"), strings.Join(answers, "\n\n")
	return src, nil
}

// ArticleOf drafts an article from a ticket (ArticleSource) with names, fiscal codes, e-mail
// addresses, phone numbers, street addresses and IBANs removed, and the ente's name too when
// withoutEnte.
func (s *Service) ArticleOf(ctx context.Context, t *Ticket, withoutEnte bool) (*Article, error) {
	src, err := s.ArticleSource(ctx, t)
	if err != nil {
		return nil, err
	}
	src.WithoutEnte = withoutEnte
	return kb.Redacted(src), nil
}
