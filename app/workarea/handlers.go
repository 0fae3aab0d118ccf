package workarea

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/web"
	"passhub/app/workspace"
)

// Handlers serve the work areas: the members' pages under /area-riservata/spazi and the admins'
// under /admin/spazi.
type Handlers struct {
	web *web.Server
	svc *Service
	// MaxFile is the largest upload (the workspace's limit).
	MaxFile int64
}

// NewHandlers returns the work areas' handlers.
func NewHandlers(w *web.Server, svc *Service, maxFile int64) *Handlers {
	return &Handlers{web: w, svc: svc, MaxFile: maxFile}
}

// Base is the address of the members' pages, Admin the admins'.
const (
	Base  = "/area-riservata/spazi"
	Admin = "/admin/spazi"
)

// Mount registers the routes. Every route of an area loads it first (load): to whoever may not
// view it, it does not exist (404), whatever the method; then each route asks its action.
func (h *Handlers) Mount(r fiber.Router) {
	reserved := access.Require(access.ViewReservedArea, nil)
	obj := func(c *fiber.Ctx) access.Object { return access.Object{AreaID: From(c).ID} }
	view, post, coord := access.Require(access.ViewArea, obj), access.Require(access.PostInArea, obj), access.Require(access.CoordinateArea, obj)
	manage := access.Require(access.ManageAreas, nil)
	area := func(method, path string, handlers ...fiber.Handler) web.Route {
		return web.Route{Method: method, Path: Base + "/:id" + path, Handlers: append([]fiber.Handler{reserved, h.load}, handlers...)}
	}
	web.Mount(r, []web.Route{
		{Method: "GET", Path: Base, Handlers: []fiber.Handler{reserved, h.list}},
		area("GET", "", view, h.area),
		area("POST", "/descrizione", coord, h.describe),
		area("POST", "/argomenti", post, h.openTopic),
		area("GET", "/argomenti/:tid", view, h.topic),
		area("POST", "/argomenti/:tid/risposte", post, h.reply),
		area("POST", "/argomenti/:tid/post/:pid/visibilita", coord, h.moderate),
		area("GET", "/aggiornamenti", view, h.live),
		area("GET", "/biblioteca", view, h.library),
		area("POST", "/biblioteca", post, h.upload),
		area("GET", "/documenti/:vid", view, h.download),
		area("GET", "/membri", view, h.members),
		area("GET", "/calendario", view, h.calendar),
		area("POST", "/calendario", coord, h.createEvent),
		area("GET", "/calendario/:eid", view, h.event),
		area("POST", "/calendario/:eid/iscrizione", post, h.register),
		area("POST", "/calendario/:eid/presenze", coord, h.attendance),
		area("POST", "/calendario/:eid/materiali", coord, h.material),
		{Method: "GET", Path: Admin, Handlers: []fiber.Handler{manage, h.adminList}},
		{Method: "POST", Path: Admin, Handlers: []fiber.Handler{manage, h.create}},
		{Method: "GET", Path: Admin + "/:id", Handlers: []fiber.Handler{manage, h.loadAny, h.adminArea}},
		{Method: "POST", Path: Admin + "/:id/membri", Handlers: []fiber.Handler{manage, h.loadAny, h.addMember}},
		{Method: "POST", Path: Admin + "/:id/membri/:mid/rimuovi", Handlers: []fiber.Handler{manage, h.loadAny, h.removeMember}},
	})
}

// ThreadPage is how many posts a topic's page shows (the newest; links lead to earlier ones).
const ThreadPage = 100

const areaKey = "workarea.area"

// From returns the area the route loaded.
func From(c *fiber.Ctx) *Area {
	a, _ := c.Locals(areaKey).(*Area)
	if a == nil {
		return &Area{}
	}
	return a
}

// load finds the route's area; one the viewer may not view is not found, so its existence is
// told to nobody outside it.
func (h *Handlers) load(c *fiber.Ctx) error {
	a, err := h.svc.Get(c.UserContext(), web.IDOrZero(c, "id"))
	if errors.Is(err, ErrNoArea) || err == nil && !access.Of(c).Can(access.ViewArea, access.Object{AreaID: a.ID}) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	c.Locals(areaKey, a)
	return c.Next()
}

// loadAny finds the route's area for the admins' pages (their access is checked before).
func (h *Handlers) loadAny(c *fiber.Ctx) error {
	a, err := h.svc.Get(c.UserContext(), web.IDOrZero(c, "id"))
	if errors.Is(err, ErrNoArea) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	c.Locals(areaKey, a)
	return c.Next()
}

func actorOf(c *fiber.Ctx) Actor { return Actor(web.ActorOf(c)) }

// errorStatus is how the handlers answer the library's refusals.
func (h *Handlers) errorStatus() web.Errors {
	fileType := web.Status{Code: fiber.StatusUnprocessableEntity, Message: "workspace.file.type", Field: "file"}
	return web.Errors{
		workspace.ErrTooLarge:  {Code: fiber.StatusRequestEntityTooLarge, Message: "workspace.file.large", Args: []any{"Max", h.MaxFile >> 20}, Field: "file"},
		workspace.ErrFileType:  fileType,
		workspace.ErrEmptyFile: fileType,
		workspace.ErrMismatch:  {Code: fiber.StatusUnprocessableEntity, Message: "workspace.file.mismatch", Field: "file"},
		workspace.ErrImage:     {Code: fiber.StatusUnprocessableEntity, Message: "workspace.file.image", Args: []any{"Max", workspace.MaxImagePixels / 1_000_000}, Field: "file"},
		workspace.ErrArchive: {Code: fiber.StatusUnprocessableEntity, Message: "workspace.file.archive",
			Args: []any{"Entries", workspace.MaxArchiveEntries, "Max", workspace.MaxArchiveExpanded >> 30}, Field: "file"},
		workspace.ErrQuota: {Code: fiber.StatusUnprocessableEntity, Message: "workspace.file.quota", Field: "file"},
		ErrNoTopic:         {Code: fiber.StatusNotFound, Message: "error.404.title"},
		ErrNoMember:        {Code: fiber.StatusNotFound, Message: "error.404.title"},
		ErrFull:            {Code: fiber.StatusConflict, Message: "workarea.event.full"},
	}
}

// can is what the viewer may do in the area, for the templates.
func can(c *fiber.Ctx, a *Area) fiber.Map {
	s, obj := access.Of(c), access.Object{AreaID: a.ID}
	return fiber.Map{"Post": s.Can(access.PostInArea, obj), "Coordinate": s.Can(access.CoordinateArea, obj), "Manage": s.Can(access.ManageAreas, obj)}
}

// base is what every page of an area shows: the area, the viewer's role and rights, the tabs.
func (h *Handlers) base(c *fiber.Ctx, tab, title string) fiber.Map {
	a := From(c)
	data := fiber.Map{"Area": a, "Role": access.Of(c).AreaRole(a.ID), "Can": can(c, a), "Tab": tab, "Title": title, "CSRF": h.web.CSRFToken(c),
		"Topics": LiveTopic(a.ID), "ViewerID": access.Of(c).UserID,
		"Crumbs": []map[string]string{{"URL": Base, "Label": h.web.T(c, "workarea.title")}}}
	if tab != "" && title != a.Name {
		data["Crumbs"] = append(data["Crumbs"].([]map[string]string), map[string]string{"URL": URL(a.ID), "Label": a.Name})
	}
	return data
}

// formState is a refused form sent back: its values, its field errors and its summary.
type formState struct {
	Form   string // which form
	Values map[string]string
	Errors map[string]string
	Alert  string
}

// fields turns field errors into the page's messages and the summary's links.
func (h *Handlers) refused(c *fiber.Ctx, form string, errs FieldErrors, values map[string]string, spec ...string) *formState {
	msgs := h.web.Messages(c, errs)
	f := &formState{Form: form, Values: values, Errors: msgs}
	c.Locals("workarea.fields", web.FieldErrors(msgs, spec...))
	return f
}

func (h *Handlers) withForm(c *fiber.Ctx, data fiber.Map, f *formState) fiber.Map {
	if f != nil {
		data["Form"], data["Values"], data["FieldErrors"] = f.Form, f.Values, f.Errors
		data["Fields"], _ = c.Locals("workarea.fields").([]web.FieldError)
		if f.Alert != "" {
			data["Alert"] = f.Alert
		}
	} else {
		data["Values"], data["FieldErrors"] = map[string]string{}, map[string]string{}
	}
	return data
}

func (h *Handlers) list(c *fiber.Ctx) error {
	areas, err := h.svc.Visible(c.UserContext(), access.Of(c))
	if err != nil {
		return err
	}
	return h.web.Page(c, "workarea/list", fiber.Map{"Title": h.web.T(c, "workarea.title"), "Areas": areas,
		"Manage": access.Of(c).Can(access.ManageAreas, access.Object{})})
}

func (h *Handlers) area(c *fiber.Ctx) error { return h.areaPage(c, nil) }

func (h *Handlers) areaPage(c *fiber.Ctx, f *formState) error {
	a := From(c)
	topics, err := h.svc.Topics(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	people, err := h.svc.People(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	data := h.base(c, "topics", a.Name)
	data["TopicList"], data["People"] = topics, people
	return h.web.Page(c, "workarea/area", h.withForm(c, data, f))
}

func (h *Handlers) describe(c *fiber.Ctx) error {
	a := From(c)
	err := h.svc.SetDescription(c.UserContext(), actorOf(c), a.ID, c.FormValue("description"))
	var ferrs FieldErrors
	if errors.As(err, &ferrs) {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.areaPage(c, h.refused(c, "description", ferrs, map[string]string{"description": c.FormValue("description")},
			"description", "area-description", h.web.T(c, "workarea.description")))
	}
	if err != nil {
		return err
	}
	h.web.Flash(c, "workarea.done.description")
	return c.Redirect(URL(a.ID), fiber.StatusSeeOther)
}

// attach stores the file sent with a post, if any, in the area's library; 0 when none was sent.
func (h *Handlers) attach(c *fiber.Ctx, a *Area) (int64, error) {
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 && fh.Filename == "" {
		return 0, nil
	}
	src, done, err := workspace.OpenUpload(fh, h.MaxFile)
	if err != nil {
		return 0, err
	}
	defer done()
	doc, err := h.svc.Upload(c.UserContext(), actorOf(c), a.ID, 0, fh.Filename, src)
	if err != nil {
		return 0, err
	}
	return doc.ID, nil
}

func mentionsOf(c *fiber.Ctx) []int64 {
	var out []int64
	for _, v := range c.Request().PostArgs().PeekMulti("mention") {
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	if form, err := c.MultipartForm(); err == nil {
		for _, v := range form.Value["mention"] {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
				out = append(out, n)
			}
		}
	}
	return out
}

func (h *Handlers) openTopic(c *fiber.Ctx) error {
	a := From(c)
	f := PostForm{Title: c.FormValue("title"), Body: c.FormValue("body"), Mentions: mentionsOf(c)}
	values := map[string]string{"title": f.Title, "body": f.Body}
	spec := []string{"title", "topic-title", h.web.T(c, "workarea.topic.title"), "body", "topic-body", h.web.T(c, "workarea.post.body"),
		"file", "topic-file", h.web.T(c, "workarea.post.file")}
	refuse := func(err error) error {
		var ferrs FieldErrors
		if errors.As(err, &ferrs) {
			c.Status(fiber.StatusUnprocessableEntity)
			return h.areaPage(c, h.refused(c, "topic", ferrs, values, spec...))
		}
		if st, ok := h.errorStatus().Of(err); ok {
			c.Status(st.Code)
			return h.areaPage(c, h.refused(c, "topic", FieldErrors{st.Field: st.Message}, values, spec...))
		}
		return err
	}
	if err := f.Check(true); err != nil { // the text first: a refused post stores no file
		return refuse(err)
	}
	doc, err := h.attach(c, a)
	if err != nil {
		return refuse(err)
	}
	f.DocumentID = doc
	t, _, err := h.svc.OpenTopic(c.UserContext(), actorOf(c), a.ID, f)
	if err != nil {
		return refuse(err)
	}
	return c.Redirect(TopicURL(a.ID, t.ID), fiber.StatusSeeOther)
}

// loadTopic reads the route's topic of the area.
func (h *Handlers) loadTopic(c *fiber.Ctx) (*Topic, error) {
	t, err := h.svc.Topic(c.UserContext(), From(c).ID, web.IDOrZero(c, "tid"))
	if errors.Is(err, ErrNoTopic) {
		return nil, fiber.ErrNotFound
	}
	return t, err
}

func (h *Handlers) topic(c *fiber.Ctx) error {
	t, err := h.loadTopic(c)
	if err != nil {
		return err
	}
	return h.topicPage(c, t, nil)
}

func (h *Handlers) topicPage(c *fiber.Ctx, t *Topic, f *formState) error {
	a := From(c)
	coord := access.Of(c).Can(access.CoordinateArea, access.Object{AreaID: a.ID})
	before, _ := strconv.ParseInt(c.Query("prima"), 10, 64)
	posts, more, err := h.svc.PostsBefore(c.UserContext(), t.ID, before, ThreadPage, coord)
	if err != nil {
		return err
	}
	last, err := h.svc.LastPost(c.UserContext(), t.ID)
	if err != nil {
		return err
	}
	people, err := h.svc.People(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	data := h.base(c, "topics", t.Title)
	data["Topic"], data["Posts"], data["Last"], data["People"], data["ViewerID"] = t, posts, last, people, access.Of(c).UserID
	data["Before"], data["More"] = before, more
	if len(posts) > 0 {
		data["First"] = posts[0].ID
	}

	return h.web.Page(c, "workarea/topic", h.withForm(c, data, f))
}

func (h *Handlers) reply(c *fiber.Ctx) error {
	a := From(c)
	t, err := h.loadTopic(c)
	if err != nil {
		return err
	}
	f := PostForm{Body: c.FormValue("body"), Mentions: mentionsOf(c)}
	spec := []string{"body", "post-body", h.web.T(c, "workarea.post.body"), "file", "post-file", h.web.T(c, "workarea.post.file")}
	refuse := func(err error) error {
		var ferrs FieldErrors
		var st web.Status
		if errors.As(err, &ferrs) {
			st = web.Status{Code: fiber.StatusUnprocessableEntity}
		} else if known, ok := h.errorStatus().Of(err); ok {
			st, ferrs = known, FieldErrors{known.Field: known.Message}
		} else {
			return err
		}
		if web.IsHTMX(c) { // next to the form, which keeps what was typed
			msgs := h.web.Messages(c, ferrs)
			var say []string
			for _, fe := range web.FieldErrors(msgs, spec...) {
				say = append(say, fe.Label+": "+fe.Message)
			}
			c.Status(fiber.StatusUnprocessableEntity)
			return h.web.Fragment(c, "workspace/form_error", fiber.Map{"Form": "post-form", "Message": strings.Join(say, ". ")})
		}
		c.Status(st.Code)
		return h.topicPage(c, t, h.refused(c, "reply", ferrs, map[string]string{"body": f.Body}, spec...))
	}
	if err := f.Check(false); err != nil {
		return refuse(err)
	}
	doc, err := h.attach(c, a)
	if err != nil {
		return refuse(err)
	}
	f.DocumentID = doc
	p, err := h.svc.Reply(c.UserContext(), actorOf(c), t, f)
	if err != nil {
		return refuse(err)
	}
	if web.IsHTMX(c) {
		return h.renderLive(c, t, true)
	}
	return c.Redirect(TopicURL(a.ID, t.ID)+"#post-"+strconv.FormatInt(p.ID, 10), fiber.StatusSeeOther)
}

func (h *Handlers) moderate(c *fiber.Ctx) error {
	a := From(c)
	t, err := h.loadTopic(c)
	if err != nil {
		return err
	}
	pid := web.IDOrZero(c, "pid")
	if err := h.svc.SetHidden(c.UserContext(), actorOf(c), t, pid, c.FormValue("hidden") == "1"); err != nil {
		if errors.Is(err, ErrNoTopic) {
			return fiber.ErrNotFound
		}
		return err
	}
	return c.Redirect(TopicURL(a.ID, t.ID)+"#post-"+strconv.FormatInt(pid, 10), fiber.StatusSeeOther)
}

// live renders what a topic's open page does not show yet: the posts after ?dopo of the topic
// ?argomento, appended to the thread, and the new cursor. The reply form is never re-rendered, so
// what the viewer is typing stays. Without a topic (the area's other pages) there is nothing to add.
func (h *Handlers) live(c *fiber.Ctx) error {
	tid, _ := strconv.ParseInt(c.Query("argomento"), 10, 64)
	if tid <= 0 {
		return c.SendStatus(fiber.StatusNoContent)
	}
	t, err := h.svc.Topic(c.UserContext(), From(c).ID, tid)
	if errors.Is(err, ErrNoTopic) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	return h.renderLive(c, t, false)
}

func (h *Handlers) renderLive(c *fiber.Ctx, t *Topic, posted bool) error {
	a := From(c)
	after, _ := strconv.ParseInt(c.Query("dopo", c.FormValue("dopo")), 10, 64)
	coord := access.Of(c).Can(access.CoordinateArea, access.Object{AreaID: a.ID})
	posts, err := h.svc.Posts(c.UserContext(), t.ID, after, coord)
	if err != nil {
		return err
	}
	last, err := h.svc.LastPost(c.UserContext(), t.ID)
	if err != nil {
		return err
	}
	var say []string
	viewer := access.Of(c).UserID
	for _, p := range posts {
		if p.AuthorID != viewer {
			say = append(say, h.web.T(c, "workarea.live.post", "Author", p.Author))
		}
	}
	return h.web.Fragment(c, "workarea/live", fiber.Map{"Area": a, "Topic": t, "NewPosts": posts, "Last": last, "Posted": posted,
		"Announce": strings.Join(say, ". "), "Can": can(c, a), "CSRF": h.web.CSRFToken(c), "ViewerID": viewer})
}

func (h *Handlers) library(c *fiber.Ctx) error { return h.libraryPage(c, nil) }

func (h *Handlers) libraryPage(c *fiber.Ctx, f *formState) error {
	a := From(c)
	docs, err := h.svc.Library(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	data := h.base(c, "library", h.web.T(c, "workarea.library"))
	data["Documents"] = docs
	return h.web.Page(c, "workarea/library", h.withForm(c, data, f))
}

func (h *Handlers) upload(c *fiber.Ctx) error {
	a := From(c)
	spec := []string{"file", "library-file", h.web.T(c, "workarea.library.file")}
	refuse := func(err error) error {
		if st, ok := h.errorStatus().Of(err); ok {
			c.Status(st.Code)
			return h.libraryPage(c, h.refused(c, "library", FieldErrors{"file": st.Message}, nil, spec...))
		}
		if errors.Is(err, errNoFile) {
			c.Status(fiber.StatusUnprocessableEntity)
			return h.libraryPage(c, h.refused(c, "library", FieldErrors{"file": "workspace.file.missing"}, nil, spec...))
		}
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 {
		return refuse(errNoFile)
	}
	src, done, err := workspace.OpenUpload(fh, h.MaxFile)
	if err != nil {
		return refuse(err)
	}
	defer done()
	docID, _ := strconv.ParseInt(c.FormValue("document"), 10, 64)
	doc, err := h.svc.Upload(c.UserContext(), actorOf(c), a.ID, docID, fh.Filename, src)
	if err != nil {
		return refuse(err)
	}
	h.web.Flash(c, "workarea.done.document")
	return c.Redirect(URL(a.ID)+"/biblioteca#documento-"+strconv.FormatInt(doc.ID, 10), fiber.StatusSeeOther)
}

var errNoFile = errors.New("workarea: no file sent")

func (h *Handlers) download(c *fiber.Ctx) error {
	v, f, err := h.svc.Open(c.UserContext(), From(c).ID, web.IDOrZero(c, "vid"))
	if err != nil {
		return err
	}
	return web.SendStored(c, f, v.ContentType, v.Filename, v.Size)
}

func (h *Handlers) members(c *fiber.Ctx) error {
	a := From(c)
	people, err := h.svc.People(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	members, err := h.svc.Members(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	var enti []Member
	for _, m := range members {
		if m.EnteID != 0 {
			enti = append(enti, m)
		}
	}
	data := h.base(c, "members", h.web.T(c, "workarea.members"))
	data["People"], data["Enti"] = people, enti
	return h.web.Page(c, "workarea/members", data)
}

// The admins' pages.

func (h *Handlers) adminList(c *fiber.Ctx) error { return h.adminListPage(c, nil) }

func (h *Handlers) adminListPage(c *fiber.Ctx, f *formState) error {
	areas, err := h.svc.All(c.UserContext())
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": h.web.T(c, "workarea.admin.title"), "Areas": areas, "CSRF": h.web.CSRFToken(c)}
	return h.web.Page(c, "workarea/admin_list", h.withForm(c, data, f))
}

func (h *Handlers) create(c *fiber.Ctx) error {
	f := Form{Name: c.FormValue("name"), Service: c.FormValue("service"), Description: c.FormValue("description")}
	a, err := h.svc.Create(c.UserContext(), actorOf(c), f)
	var ferrs FieldErrors
	if errors.As(err, &ferrs) {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.adminListPage(c, h.refused(c, "area", ferrs, map[string]string{"name": f.Name, "service": f.Service, "description": f.Description},
			"name", "area-name", h.web.T(c, "workarea.name"), "service", "area-service", h.web.T(c, "workarea.service"),
			"description", "area-desc", h.web.T(c, "workarea.description")))
	}
	if err != nil {
		return err
	}
	h.web.Flash(c, "workarea.done.created")
	return c.Redirect(Admin+"/"+strconv.FormatInt(a.ID, 10), fiber.StatusSeeOther)
}

func (h *Handlers) adminArea(c *fiber.Ctx) error { return h.adminAreaPage(c, nil) }

func (h *Handlers) adminAreaPage(c *fiber.Ctx, f *formState) error {
	a := From(c)
	members, err := h.svc.Members(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	enti, people, err := h.svc.Candidates(c.UserContext(), 1000)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": a.Name, "Area": a, "Members": members, "EntiChoices": enti, "PeopleChoices": people, "Roles": Roles,
		"CSRF": h.web.CSRFToken(c), "Crumbs": []map[string]string{{"URL": Admin, "Label": h.web.T(c, "workarea.admin.title")}}}
	return h.web.Page(c, "workarea/admin_area", h.withForm(c, data, f))
}

func (h *Handlers) addMember(c *fiber.Ctx) error {
	a := From(c)
	var f MemberForm
	f.Role = c.FormValue("role")
	if c.FormValue("kind") == "ente" {
		f.EnteID, _ = strconv.ParseInt(c.FormValue("ente"), 10, 64)
	} else {
		f.UserID, _ = strconv.ParseInt(c.FormValue("user"), 10, 64)
	}
	_, err := h.svc.AddMember(c.UserContext(), actorOf(c), a.ID, f)
	var ferrs FieldErrors
	if errors.As(err, &ferrs) {
		c.Status(fiber.StatusUnprocessableEntity)
		form := "person"
		if c.FormValue("kind") == "ente" {
			form = "ente"
		}
		if ferrs["who"] != "" {
			ferrs[form] = ferrs["who"]
			delete(ferrs, "who")
		}
		return h.adminAreaPage(c, h.refused(c, form, ferrs, map[string]string{"role": f.Role},
			"ente", "member-ente", h.web.T(c, "workarea.member.ente"), "person", "member-user", h.web.T(c, "workarea.member.person"),
			"role", "member-role-"+form, h.web.T(c, "workarea.member.role")))
	}
	if err != nil {
		return err
	}
	h.web.Flash(c, "workarea.done.member")
	return c.Redirect(Admin+"/"+strconv.FormatInt(a.ID, 10)+"#membri", fiber.StatusSeeOther)
}

func (h *Handlers) removeMember(c *fiber.Ctx) error {
	a := From(c)
	if err := h.svc.RemoveMember(c.UserContext(), actorOf(c), a.ID, web.IDOrZero(c, "mid")); err != nil {
		if errors.Is(err, ErrNoMember) {
			return fiber.ErrNotFound
		}
		return err
	}
	h.web.Flash(c, "workarea.done.removed")
	return c.Redirect(Admin+"/"+strconv.FormatInt(a.ID, 10)+"#membri", fiber.StatusSeeOther)
}

// The calendar.

func (h *Handlers) calendar(c *fiber.Ctx) error { return h.calendarPage(c, nil) }

func (h *Handlers) calendarPage(c *fiber.Ctx, f *formState) error {
	a := From(c)
	events, err := h.svc.Calendar(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	data := h.base(c, "calendar", h.web.T(c, "workarea.calendar"))
	data["Events"], data["Kinds"] = events, EventKinds
	return h.web.Page(c, "workarea/calendar", h.withForm(c, data, f))
}

func (h *Handlers) createEvent(c *fiber.Ctx) error {
	a := From(c)
	f := EventForm{Kind: c.FormValue("kind"), Title: c.FormValue("title"), Description: c.FormValue("description"), Starts: c.FormValue("starts"),
		Ends: c.FormValue("ends"), Place: c.FormValue("place"), Capacity: c.FormValue("capacity")}
	e, err := h.svc.CreateEvent(c.UserContext(), actorOf(c), a.ID, f)
	var ferrs FieldErrors
	if errors.As(err, &ferrs) {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.calendarPage(c, h.refused(c, "event", ferrs, map[string]string{"kind": f.Kind, "title": f.Title, "description": f.Description,
			"starts": f.Starts, "ends": f.Ends, "place": f.Place, "capacity": f.Capacity},
			"kind", "event-kind", h.web.T(c, "workarea.event.kind"), "title", "event-title", h.web.T(c, "workarea.event.title"),
			"starts", "event-starts", h.web.T(c, "workarea.event.starts"), "ends", "event-ends", h.web.T(c, "workarea.event.ends"),
			"place", "event-place", h.web.T(c, "workarea.event.place"), "capacity", "event-capacity", h.web.T(c, "workarea.event.capacity.label"),
			"description", "event-description", h.web.T(c, "workarea.description")))
	}
	if err != nil {
		return err
	}
	h.web.Flash(c, "workarea.done.event")
	return c.Redirect(EventURL(a.ID, e.ID), fiber.StatusSeeOther)
}

// loadEvent reads the route's event of the area.
func (h *Handlers) loadEvent(c *fiber.Ctx) (*Event, error) {
	e, err := h.svc.Event(c.UserContext(), From(c).ID, web.IDOrZero(c, "eid"))
	if errors.Is(err, ErrNoEvent) {
		return nil, fiber.ErrNotFound
	}
	return e, err
}

func (h *Handlers) event(c *fiber.Ctx) error {
	e, err := h.loadEvent(c)
	if err != nil {
		return err
	}
	return h.eventPage(c, e, "")
}

func (h *Handlers) eventPage(c *fiber.Ctx, e *Event, alert string) error {
	a := From(c)
	ctx := c.UserContext()
	regs, err := h.svc.Registrations(ctx, e.ID)
	if err != nil {
		return err
	}
	mats, err := h.svc.Materials(ctx, e.ID)
	if err != nil {
		return err
	}
	data := h.base(c, "calendar", e.Title)
	data["Crumbs"] = append(data["Crumbs"].([]map[string]string), map[string]string{"URL": URL(a.ID) + "/calendario", "Label": h.web.T(c, "workarea.calendar")})
	viewer := access.Of(c).UserID
	mine := false
	for _, r := range regs {
		mine = mine || r.UserID == viewer
	}
	data["Event"], data["Registrations"], data["Registered"], data["Materials"], data["Alert"] = e, regs, mine, mats, alert
	if data["Can"].(fiber.Map)["Coordinate"].(bool) {
		docs, err := h.svc.Library(ctx, a.ID)
		if err != nil {
			return err
		}
		data["Library"] = docs
	}
	return h.web.Page(c, "workarea/event", data)
}

func (h *Handlers) register(c *fiber.Ctx) error {
	a := From(c)
	e, err := h.loadEvent(c)
	if err != nil {
		return err
	}
	if !e.Training() {
		return fiber.ErrNotFound
	}
	on := c.FormValue("op") != "annulla"
	if err := h.svc.Register(c.UserContext(), actorOf(c), e, on); err != nil {
		if st, ok := h.errorStatus().Of(err); ok {
			c.Status(st.Code)
			return h.eventPage(c, e, h.web.Say(c, st))
		}
		return err
	}
	h.web.Flash(c, map[bool]string{true: "workarea.done.registered", false: "workarea.done.unregistered"}[on])
	return c.Redirect(EventURL(a.ID, e.ID), fiber.StatusSeeOther)
}

func (h *Handlers) attendance(c *fiber.Ctx) error {
	a := From(c)
	e, err := h.loadEvent(c)
	if err != nil {
		return err
	}
	if !e.Training() {
		return fiber.ErrNotFound
	}
	var present []int64
	for _, v := range c.Request().PostArgs().PeekMulti("present") {
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil && n > 0 {
			present = append(present, n)
		}
	}
	if err := h.svc.MarkAttendance(c.UserContext(), actorOf(c), e, present); err != nil {
		return err
	}
	h.web.Flash(c, "workarea.done.attendance")
	return c.Redirect(EventURL(a.ID, e.ID)+"#presenze", fiber.StatusSeeOther)
}

func (h *Handlers) material(c *fiber.Ctx) error {
	a := From(c)
	e, err := h.loadEvent(c)
	if err != nil {
		return err
	}
	doc, _ := strconv.ParseInt(c.FormValue("document"), 10, 64)
	err = h.svc.AddMaterial(c.UserContext(), e, doc)
	var ferrs FieldErrors
	if errors.As(err, &ferrs) {
		c.Status(fiber.StatusUnprocessableEntity)
		return h.eventPage(c, e, h.web.T(c, "workarea.event.material")+": "+h.web.T(c, "validation.choice"))
	}
	if err != nil {
		return err
	}
	h.web.Flash(c, "workarea.done.material")
	return c.Redirect(EventURL(a.ID, e.ID)+"#materiali", fiber.StatusSeeOther)
}
