package workspace

import (
	"context"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/audit"
	"passhub/app/kb"
	"passhub/app/request"
)

// --- a knowledge-base article from a concluded request (app/kb, as the help desk's tickets)

// ArticleSource is what a request's article is drafted from: its title, the ente's description
// of the problem as the question and the experts' conclusion as the answer (their messages in
// the thread when the conclusion is empty), with the names of the ente's people (people), of the
// experts and of everyone who wrote in the thread, and the ente's.
func (s *Service) ArticleSource(ctx context.Context, r *request.Request, people []string) (kb.Source, error) {
	msgs, err := s.Messages(ctx, r.ID)
	if err != nil {
		return kb.Source{}, err
	}
	src := kb.Source{Title: r.Title, Question: r.Description, Answer: r.Summary, Ente: r.EnteName, Names: append([]string(nil), people...)}
	experts := map[int64]bool{}
	for _, e := range r.Experts {
		src.Names, experts[e.UserID] = append(src.Names, e.Name), true
	}
	var answers []string
	for _, m := range msgs {
		src.Names = append(src.Names, m.Author)
		if experts[m.AuthorID] {
			answers = append(answers, m.Body)
		}
	}
	if strings.TrimSpace(src.Answer) == "" {
		src.Answer = strings.Join(answers, "\n\n")
	}
	return src, nil
}

// RecordArticle writes the audit entry of a knowledge-base draft made from a request.
func (s *Service) RecordArticle(ctx context.Context, who request.Actor, r *request.Request, title, url string) error {
	return audit.Record(ctx, s.db, audit.Entry{ActorID: who.UserID, Actor: who.Name, IP: who.IP, Action: "request.kb_draft",
		ObjectType: "request", ObjectID: r.ID, EnteID: r.EnteID, Detail: strings.TrimSpace(title + " " + url)})
}

func (h *Handlers) review() kb.Review { return kb.Review{Web: h.web, Drafts: h.Drafts} }

// articleURL is the review page of a request's draft article.
func articleURL(id int64) string {
	return "/area-riservata/richieste/" + strconv.FormatInt(id, 10) + "/articolo"
}

// articleRequest is the request of the route when it can become an article: the knowledge base
// exists (404 otherwise) and the request is concluded (409 with the request's page otherwise).
func (h *Handlers) articleRequest(c *fiber.Ctx) (*request.Request, kb.Source, bool, error) {
	r := request.From(c)
	if !h.review().Enabled() {
		return nil, kb.Source{}, false, fiber.ErrNotFound
	}
	if r.State != request.Concluded {
		return nil, kb.Source{}, false, h.fail(c, fiber.StatusConflict, h.web.T(c, "kb.draft.request.not_concluded"))
	}
	var people []string
	if h.People != nil {
		var err error
		if people, err = h.People(c.UserContext(), r); err != nil {
			return nil, kb.Source{}, false, err
		}
	}
	src, err := h.svc.ArticleSource(c.UserContext(), r, people)
	if err != nil {
		return nil, kb.Source{}, false, err
	}
	src.WithoutEnte = kb.WithoutEnte(c)
	return r, src, true, nil
}

// articleData is the review page's data beside the draft.
func (h *Handlers) articleData(c *fiber.Ctx, r *request.Request) fiber.Map {
	return fiber.Map{"Title": h.web.T(c, "kb.draft.request.title"), "Request": r, "Action": articleURL(r.ID),
		"Cancel": "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10),
		"Crumbs": []map[string]string{{"URL": "/area-riservata/richieste", "Label": h.web.T(c, "requests.title")},
			{"URL": "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10), "Label": r.Title}}}
}

func (h *Handlers) articleForm(c *fiber.Ctx) error {
	r, src, ok, err := h.articleRequest(c)
	if !ok {
		return err
	}
	return h.review().Render(c, "workspace/article", kb.Redacted(src), nil, h.articleData(c, r))
}

func (h *Handlers) article(c *fiber.Ctx) error {
	r, src, ok, err := h.articleRequest(c)
	if !ok {
		return err
	}
	sent, err := h.review().Send(c, src, ArticleCategory, "workspace/article", h.articleData(c, r))
	if err != nil || sent == nil {
		return err
	}
	if err := h.svc.RecordArticle(c.UserContext(), request.ActorOf(c), r, sent.Title, sent.URL); err != nil {
		return err
	}
	back := "/area-riservata/richieste/" + strconv.FormatInt(r.ID, 10)
	if access.Of(c).Can(access.WriteContent, access.Object{}) { // the newsroom's draft is theirs to open
		h.web.FlashLink(c, "kb.draft.sent_link", sent.Title, sent.URL, "kb.draft.open")
	} else {
		h.web.FlashLink(c, "kb.draft.sent_editors", sent.Title, "", "")
	}
	return c.Redirect(back, fiber.StatusSeeOther)
}

// ArticleCategory is the knowledge-base category of the articles drafted from requests: the
// catalogue's procedures are administrative work.
const ArticleCategory = "amministrativa"
