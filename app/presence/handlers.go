package presence

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/content"
	"passhub/app/db"
	"passhub/app/identity"
	"passhub/app/realtime"
	"passhub/app/web"
)

// Listen makes the registry the hub's watcher of the entry topics, announces its changes on the
// bus, and, for every entry topic the bus carries, pushes to this instance's viewers of the
// entry a frame that reloads their box through Handlers: the viewers changed (Topic), or a
// revision was saved (SavedTopic). The frames name ids only; names are rendered by the
// authorised handler, and their elements are only the box's own (never the entry's form).
func (r *Registry) Listen(rt *realtime.Service) {
	rt.Hub.Watch(TopicPrefix, r)
	r.Announce = rt.Publish
	rt.Handle(TopicPrefix, func(topic string) {
		entry, rev, ok := ParseTopic(topic)
		if !ok {
			return
		}
		rt.Hub.Publish(Topic(entry), Frame(entry, rev))
	})
}

// Frame is what the viewers of entry receive when its viewers changed (rev 0) or revision rev
// was saved: an element of the box that loads the box's update; a saved revision's update
// carries the revision the page's form started from.
func Frame(entry, rev int64) []byte {
	if rev == 0 {
		return fmt.Appendf(nil, `<div id="presence-live" hx-swap-oob="true"><span hx-get="%s" hx-trigger="load" hx-swap="none"></span></div>`, LiveURL(entry))
	}
	return fmt.Appendf(nil, `<div id="presence-saved-live" hx-swap-oob="true"><span hx-get="%s?salvata=%d" hx-include="#entry-form [name=rev]" hx-trigger="load" hx-swap="none"></span></div>`, LiveURL(entry), rev)
}

// LiveURL is the update of entry's box.
func LiveURL(entry int64) string { return "/redazione/presenza/" + strconv.FormatInt(entry, 10) }

// People tells who a user is: their name and staff roles (the identity service).
type People interface {
	User(ctx context.Context, id int64) (*identity.User, []identity.Role, error)
}

// Entries finds entries and revisions (the content service).
type Entries interface {
	EntryBySlug(ctx context.Context, t content.Type, slug string) (*content.Entry, error)
	EntryByID(ctx context.Context, id int64) (*content.Entry, error)
	RevisionByID(ctx context.Context, id int64) (*content.Revision, error)
}

// Handlers serve the presence box of the entry page and its live update.
type Handlers struct {
	web     *web.Server
	reg     *Registry
	entries Entries
	people  People
}

// NewHandlers returns the presence handlers.
func NewHandlers(w *web.Server, reg *Registry, entries Entries, people People) *Handlers {
	return &Handlers{web: w, reg: reg, entries: entries, people: people}
}

// Mount registers GET /redazione/presenza/:id, the box's update, which like the entry page
// needs access.WriteContent; and, before the newsroom's handlers of the entry page, the page's
// data: its box (newsroom/presence) and the websocket topic that keeps it live.
func (h *Handlers) Mount(r fiber.Router) {
	r.Get("/redazione/presenza/:id", access.Require(access.WriteContent, nil), h.live)
	r.Get(entryPage, h.pageData)
	r.Post(entryPage, h.pageData)
}

// entryPage is the newsroom's entry page.
const entryPage = "/redazione/contenuti/:type/:slug"

// Person is someone shown in the box: a name and the message id of their newsroom role.
type Person struct {
	Name string
	Role string
}

// Box is what the entry page's box shows: the entry, and the other people who have it open.
type Box struct {
	Entry  int64
	URL    string
	Others []Person
}

// Notice is a revision saved by someone else since the page was loaded.
type Notice struct {
	Name   string
	Number int
}

// pageData gives the entry page, when its viewer may open it, the topic its websocket follows
// ("Topics") and its box ("Presence"): a function the template calls, so the viewers are read only
// when the page is rendered (not for a save that redirects).
func (h *Handlers) pageData(c *fiber.Ctx) error {
	s := access.Of(c)
	if !s.Can(access.WriteContent, access.Object{}) {
		return c.Next()
	}
	ctx := c.UserContext()
	e, err := h.entries.EntryBySlug(ctx, content.Type(c.Params("type")), c.Params("slug"))
	if errors.Is(err, db.ErrNotFound) {
		return c.Next() // the newsroom answers 404
	}
	if err != nil {
		return err
	}
	web.SetData(c, "Topics", Topic(e.ID))
	web.SetData(c, "Presence", func() (*Box, error) {
		others, err := h.others(ctx, e.ID, s.UserID)
		if err != nil {
			return nil, err
		}
		return &Box{Entry: e.ID, URL: LiveURL(e.ID), Others: others}, nil
	})
	return c.Next()
}

// others returns the people other than viewer who have entry open and may still open it, by name.
func (h *Handlers) others(ctx context.Context, entry, viewer int64) ([]Person, error) {
	ids, err := h.reg.Viewers(ctx, entry, viewer)
	if err != nil {
		return nil, err
	}
	var out []Person
	for _, id := range ids {
		u, roles, err := h.people.User(ctx, id)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if role := newsroomRole(roles); role != "" && !u.Disabled {
			out = append(out, Person{Name: u.FullName(), Role: "presence.role." + role})
		}
	}
	return out, nil
}

// newsroomRole is the highest newsroom role among roles ("" for none): whoever has none may not
// open an entry, and is not shown even while a socket of theirs lingers.
func newsroomRole(roles []identity.Role) string {
	best := ""
	for _, want := range []string{access.RoleAdmin, access.RolePublisher, access.RoleEditor} {
		for _, r := range roles {
			if r.Role == want && best == "" {
				best = want
			}
		}
	}
	return best
}

// live answers the box's update: the list of the others, out of band, and with salvata (a
// revision id) the notice that someone else saved that revision, when the page's form (rev)
// started from an earlier one.
func (h *Handlers) live(c *fiber.Ctx) error {
	id, err := web.ID(c, "id")
	if err != nil {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	if _, err := h.entries.EntryByID(ctx, id); errors.Is(err, db.ErrNotFound) {
		return fiber.ErrNotFound
	} else if err != nil {
		return err
	}
	viewer := access.Of(c).UserID
	others, err := h.others(ctx, id, viewer)
	if err != nil {
		return err
	}
	data := fiber.Map{"Box": Box{Entry: id, URL: LiveURL(id), Others: others}}
	if saved, _ := strconv.ParseInt(c.Query("salvata"), 10, 64); saved > 0 {
		from, _ := strconv.ParseInt(c.Query("rev"), 10, 64)
		r, err := h.entries.RevisionByID(ctx, saved)
		switch {
		case errors.Is(err, db.ErrNotFound):
		case err != nil:
			return err
		case r.EntryID == id && r.AuthorID != viewer && r.ID > from:
			data["Notice"] = Notice{Name: r.Author, Number: r.Number}
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return h.web.Fragment(c, "newsroom/presence_live", data)
}

// Saved tells every instance that revision rev of entry e was saved: its other viewers get the
// notice (content.Service.OnSave calls it after the commit).
func (r *Registry) Saved(ctx context.Context, e *content.Entry, rev *content.Revision) {
	if r.Announce == nil {
		return
	}
	if err := r.Announce(ctx, SavedTopic(e.ID, rev.ID)); err != nil {
		r.log.Warn("presence: saved revision not announced", "entry", e.ID, "err", err)
	}
}
