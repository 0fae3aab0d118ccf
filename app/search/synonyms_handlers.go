package search

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/audit"
	"passhub/app/web"
)

// mountSynonyms registers the editors' synonyms list: GET and POST /admin/sinonimi.
func (h *Handlers) mountSynonyms(r fiber.Router) {
	editors := access.Require(access.EditContent, nil)
	r.Get("/admin/sinonimi", editors, h.synonyms)
	r.Post("/admin/sinonimi", editors, h.saveSynonyms)
}

func (h *Handlers) synonyms(c *fiber.Ctx) error {
	groups, err := h.Index.SynonymGroups(c.UserContext())
	if err != nil {
		return err
	}
	text := ""
	for _, g := range groups {
		text += g.Words + "\n"
	}
	return h.synonymsPage(c, text, "", c.Query("salvato") != "")
}

func (h *Handlers) synonymsPage(c *fiber.Ctx, text, problem string, saved bool) error {
	h.Web.CSRFToken(c)
	data := fiber.Map{"Title": h.Web.T(c, "search.synonyms.title"), "Text": text, "Saved": saved,
		"MaxGroups": MaxSynonymGroups, "MaxWords": MaxSynonymWords}
	if problem != "" {
		data["Errors"] = map[string]string{"words": problem}
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return h.Web.Page(c, "search/synonyms", data)
}

func (h *Handlers) saveSynonyms(c *fiber.Ctx) error {
	text := c.FormValue("words")
	groups, err := ParseSynonyms(text)
	var bad *SynonymError
	if errors.As(err, &bad) {
		return h.synonymsPage(c, text, h.Web.T(c, bad.Msg, "Line", bad.Line, "Max", bad.Max), false)
	}
	if err != nil {
		return err
	}
	if err := h.Index.SaveSynonyms(c.UserContext(), audit.Actor(web.ActorOf(c)), groups); err != nil {
		return err
	}
	if h.Web.Pages != nil {
		h.Web.Pages.Clear() // visitors' cached search pages were made with the old list
	}
	return c.Redirect("/admin/sinonimi?salvato=1", fiber.StatusSeeOther)
}
