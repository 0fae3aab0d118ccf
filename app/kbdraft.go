package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/form"
	"passhub/app/kb"
	"passhub/app/request"
	"passhub/app/web"
)

// kbDrafts writes the knowledge-base drafts of the help desk and of the requests (app/kb) in the
// newsroom, as the person who reviewed them.
type kbDrafts struct{ a *App }

func (d kbDrafts) Enabled() bool {
	_, ok := content.Lookup(kb.Type)
	return ok
}

func (d kbDrafts) Draft(ctx context.Context, who web.Actor, title, summary, category, body string) (string, error) {
	slug := content.Slugify(title)
	if slug == "" {
		slug = "domanda"
	}
	draft := content.Draft{Type: kb.Type, Body: body, Fields: map[string]string{"title": title, "summary": summary,
		"category": category, "kind": "faq"}}
	for i := 1; ; i++ {
		draft.Slug = slug
		if i > 1 {
			draft.Slug = fmt.Sprintf("%s-%d", slug, i)
		}
		e, _, err := d.a.Content.SaveDraft(ctx, content.Actor{UserID: who.UserID, Name: who.Name, IP: who.IP}, draft)
		var fe *content.FileError
		switch {
		case err == nil:
			return "/redazione/contenuti/" + string(e.Type) + "/" + e.Slug, nil
		case errors.Is(err, content.ErrSlugTaken) && i < 20:
			continue
		case errors.As(err, &fe):
			bad := form.Errors{}
			for _, p := range fe.All() {
				field := p.Key
				if field != "title" && field != "summary" {
					field = "answer"
				}
				bad[field] = "newsroom.invalid." + p.Rule
			}
			return "", bad
		}
		return "", err
	}
}

// requestPeople names the ente's people on a request, whom its draft article leaves out: the
// requester and the ente's members (legal representative and delegates).
func (a *App) requestPeople(ctx context.Context, r *request.Request) ([]string, error) {
	var out []string
	if r.CreatedBy != 0 {
		u, _, err := a.Identity.User(ctx, r.CreatedBy)
		switch {
		case err == nil:
			out = append(out, u.FullName())
		case !errors.Is(err, db.ErrNotFound):
			return nil, err
		}
	}
	members, err := a.Enti.Members(ctx, r.EnteID)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		out = append(out, strings.TrimSpace(m.Name+" "+m.FamilyName))
	}
	return out, nil
}
