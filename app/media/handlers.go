package media

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"passhub/app/access"
	"passhub/app/db"
	"passhub/app/form"
	"passhub/app/web"
)

// PageSize is how many media a page of the library shows; PickerSize how many the entry
// editor's picker lists.
const (
	PageSize   = 24
	PickerSize = 12
)

// Library is the library's URL.
const Library = "/redazione/media"

// Handlers serve the library, the picker's data and the public files.
type Handlers struct {
	web *web.Server
	svc *Service
}

// NewHandlers returns the library's handlers.
func NewHandlers(w *web.Server, svc *Service) *Handlers { return &Handlers{web: w, svc: svc} }

// Mount registers the library's routes under /redazione/media (access.ManageMedia), the public
// GET /media/:id/:name (everyone: media are public assets of published pages), and, on the
// entry editor's routes, the picker's data (the newsroom's handlers answer them).
func (h *Handlers) Mount(r fiber.Router) {
	may := access.Require(access.ManageMedia, nil)
	r.Get(Library, may, h.library)
	r.Post(Library, may, h.upload)
	r.Get(Library+"/:id", may, h.item)
	r.Post(Library+"/:id", may, h.describe)
	r.Post(Library+"/:id/elimina", may, h.remove)
	r.Get("/media/:id/:name", h.serve)
	for _, p := range []string{"/redazione/nuovo/:type", "/redazione/contenuti/:type/:slug"} {
		r.Get(p, h.picker)
		r.Post(p, h.picker)
	}
}

func actor(c *fiber.Ctx) Actor {
	a := web.ActorOf(c)
	return Actor{UserID: a.UserID, Name: a.Name, IP: a.IP}
}

// Picker is what the entry editor's picker lists: the latest media.
type Picker struct {
	Items []Media
	Total int
}

// picker gives the entry editor's page, when its viewer may use the library, the data of
// newsroom/media_picker: a function the template calls, so the media are read only when the
// form is rendered (not for a save that redirects).
func (h *Handlers) picker(c *fiber.Ctx) error {
	if access.Of(c).Can(access.ManageMedia, access.Object{}) {
		ctx := c.UserContext()
		web.SetData(c, "MediaPicker", func() (*Picker, error) {
			items, total, err := h.svc.List(ctx, Query{Limit: PickerSize})
			if err != nil {
				return nil, err
			}
			return &Picker{Items: items, Total: total}, nil
		})
	}
	return c.Next()
}

func (h *Handlers) crumbs(c *fiber.Ctx, more ...map[string]string) []map[string]string {
	return append([]map[string]string{{"URL": "/redazione", "Label": h.web.T(c, "newsroom.title")}}, more...)
}

// libraryData is the library page's data: the filtered list, and the upload form.
func (h *Handlers) libraryData(c *fiber.Ctx) (fiber.Map, error) {
	q := Query{Words: c.Query("parole"), Kind: Kind(c.Query("tipo")), Limit: PageSize}
	if !q.Kind.Valid() {
		q.Kind = ""
	}
	page, _ := strconv.Atoi(c.Query("pagina", "1"))
	if page < 1 {
		page = 1
	}
	q.Offset = (page - 1) * PageSize
	items, total, err := h.svc.List(c.UserContext(), q)
	if err != nil {
		return nil, err
	}
	h.web.CSRFToken(c)
	return fiber.Map{"Title": h.web.T(c, "media.title"), "Items": items, "Total": total, "Filter": q,
		"Crumbs": h.crumbs(c), "Pager": struct{ Page, Pages int }{page, (total + PageSize - 1) / PageSize},
		"Accept": strings.Join(Extensions, ","), "MaxSide": MaxSide, "MaxMpx": MaxPixels / 1_000_000,
		"Form": map[string]string{}, "Errors": map[string]string{}}, nil
}

func (h *Handlers) library(c *fiber.Ctx) error {
	data, err := h.libraryData(c)
	if err != nil {
		return err
	}
	return h.web.Page(c, "newsroom/media", data)
}

// messages translates the field errors of a form of the library.
func (h *Handlers) messages(c *fiber.Ctx, errs form.Errors) map[string]string {
	out := map[string]string{}
	for k, id := range errs {
		out[k] = h.web.T(c, id, "Max", h.svc.MaxFile>>20, "Side", MaxSide, "Mpx", MaxPixels/1_000_000, "Alt", MaxAlt, "Title", MaxTitle)
	}
	return out
}

func (h *Handlers) upload(c *fiber.Ctx) error {
	u := Upload{Alt: c.FormValue("alt"), Title: c.FormValue("title")}
	var tooLarge bool
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		u.Name = fh.Filename
		if fh.Size > h.svc.MaxFile {
			tooLarge = true // not even opened
		} else {
			f, err := fh.Open()
			if err != nil {
				return err
			}
			defer f.Close()
			u.Src = io.NewSectionReader(f, 0, fh.Size)
		}
	}
	var m *Media
	var err error
	if tooLarge {
		errs := form.Errors{"file": ErrMsgTooLarge}
		describe(errs, looksLikeImage(u.Name), clean(u.Alt), clean(u.Title))
		err = errs
	} else {
		m, err = h.svc.Add(c.UserContext(), actor(c), u)
	}
	var errs form.Errors
	if errors.As(err, &errs) {
		data, derr := h.libraryData(c)
		if derr != nil {
			return derr
		}
		msgs := h.messages(c, errs)
		data["Errors"], data["Form"] = msgs, map[string]string{"alt": u.Alt, "title": u.Title}
		data["Summary"] = web.FieldErrors(msgs, "file", "media-file", h.web.T(c, "media.field.file"),
			"alt", "media-alt", h.web.T(c, "media.field.alt"), "title", "media-title", h.web.T(c, "media.field.title"))
		data["Title"] = h.web.T(c, "media.title")
		c.Status(fiber.StatusUnprocessableEntity)
		if errs["file"] == ErrMsgTooLarge {
			c.Status(fiber.StatusRequestEntityTooLarge)
		}
		return h.web.Page(c, "newsroom/media", data)
	}
	if err != nil {
		return err
	}
	h.web.Flash(c, "media.done.upload")
	return c.Redirect(Library+"/"+strconv.FormatInt(m.ID, 10), fiber.StatusSeeOther)
}

// itemPage renders a medium's page: its snippet, the description form and deletion.
func (h *Handlers) itemPage(c *fiber.Ctx, m *Media, extra fiber.Map) error {
	h.web.CSRFToken(c)
	data := fiber.Map{"Title": m.Name, "M": m, "Crumbs": h.crumbs(c, map[string]string{"URL": Library, "Label": h.web.T(c, "media.title")}),
		"Form": map[string]string{"alt": m.Alt, "title": m.Title}, "Errors": map[string]string{}}
	for k, v := range extra {
		data[k] = v
	}
	return h.web.Page(c, "newsroom/media_item", data)
}

func (h *Handlers) load(c *fiber.Ctx) (*Media, error) {
	id, err := web.ID(c, "id")
	if err != nil {
		return nil, err
	}
	return h.svc.Get(c.UserContext(), id)
}

func (h *Handlers) item(c *fiber.Ctx) error {
	m, err := h.load(c)
	if err != nil {
		return err
	}
	return h.itemPage(c, m, nil)
}

func (h *Handlers) describe(c *fiber.Ctx) error {
	m, err := h.load(c)
	if err != nil {
		return err
	}
	alt, title := c.FormValue("alt"), c.FormValue("title")
	_, err = h.svc.Describe(c.UserContext(), actor(c), m.ID, alt, title)
	var errs form.Errors
	if errors.As(err, &errs) {
		msgs := h.messages(c, errs)
		c.Status(fiber.StatusUnprocessableEntity)
		return h.itemPage(c, m, fiber.Map{"Errors": msgs, "Form": map[string]string{"alt": alt, "title": title},
			"Summary": web.FieldErrors(msgs, "alt", "media-alt", h.web.T(c, "media.field.alt"), "title", "media-title", h.web.T(c, "media.field.title"))})
	}
	if err != nil {
		return err
	}
	h.web.Flash(c, "media.done.describe")
	return c.Redirect(Library+"/"+strconv.FormatInt(m.ID, 10), fiber.StatusSeeOther)
}

func (h *Handlers) remove(c *fiber.Ctx) error {
	m, err := h.load(c)
	if err != nil {
		return err
	}
	err = h.svc.Delete(c.UserContext(), actor(c), m.ID)
	var inUse *InUse
	if errors.As(err, &inUse) {
		c.Status(fiber.StatusConflict)
		return h.itemPage(c, m, fiber.Map{"InUse": inUse.Entries, "Alert": h.web.T(c, "media.error.in_use")})
	}
	if err != nil {
		return err
	}
	h.web.Flash(c, "media.done.delete")
	return c.Redirect(Library, fiber.StatusSeeOther)
}

// serve sends a medium to anyone: its stored type, never sniffed by the browser, shown in place
// (images, PDF) or saved, cached for a year by everyone (a medium's bytes never change). A URL
// whose name is not the medium's answers 301 to its own.
func (h *Handlers) serve(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return fiber.ErrNotFound
	}
	m, err := h.svc.Get(c.UserContext(), id)
	if errors.Is(err, db.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	if c.Params("name") != m.URLName {
		return c.Redirect(m.URL(), fiber.StatusMovedPermanently)
	}
	c.Set(fiber.HeaderContentType, m.ContentType)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	if m.Inline() {
		c.Set(fiber.HeaderContentDisposition, web.InlineDisposition(m.Name))
	} else {
		c.Set(fiber.HeaderContentDisposition, web.ContentDisposition(m.Name))
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	etag := `"` + m.SHA256 + `"`
	c.Set(fiber.HeaderETag, etag)
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && (inm == "*" || strings.Contains(inm, etag)) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	if c.Method() == fiber.MethodHead {
		c.Response().SkipBody = true
		c.Response().Header.SetContentLength(int(m.Size))
		return nil
	}
	f, err := h.svc.Open(context.WithoutCancel(c.UserContext()), m)
	if err != nil {
		return err
	}
	c.Context().SetBodyStream(f, int(m.Size)) // streamed from the store; closed once sent
	return nil
}
