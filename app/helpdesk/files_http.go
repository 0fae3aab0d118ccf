package helpdesk

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"passhub/app/form"
	"passhub/app/web"
	"passhub/app/workspace"
)

// uploads opens the files of a form's field "files" where the server keeps them (the empty part
// a browser sends when no file is chosen is skipped): at most MaxFiles, each within the upload
// limit. done closes them; a refusal is the Invalid of the field.
func (h *Handlers) uploads(c *fiber.Ctx) (files []Upload, done func(), err error) {
	var closers []func()
	done = func() {
		for _, f := range closers {
			f()
		}
	}
	mf, ferr := c.MultipartForm()
	if ferr != nil {
		return nil, done, nil // a form without files (urlencoded)
	}
	var picked int
	for _, fh := range mf.File["files"] {
		if fh.Size > 0 || fh.Filename != "" {
			picked++
		}
	}
	if picked > MaxFiles {
		return nil, done, h.fileInvalid(ErrTooManyFiles)
	}
	for _, fh := range mf.File["files"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		src, close, err := workspace.OpenUpload(fh, h.svc.MaxFile)
		if errors.Is(err, workspace.ErrTooLarge) {
			return nil, done, h.fileInvalid(&FileRefused{Name: fh.Filename, Err: err})
		}
		if err != nil {
			return nil, done, err
		}
		closers = append(closers, close)
		files = append(files, Upload{Name: fh.Filename, Src: src})
	}
	return files, done, nil
}

// fileInvalid turns a refused file, or too many of them, into the form's error beside the
// field "files"; any other error is returned as it is.
func (h *Handlers) fileInvalid(err error) error {
	var bad *FileRefused
	switch {
	case errors.As(err, &bad):
		return Invalid{"files": bad.Message(h.svc.MaxFile)}
	case errors.Is(err, ErrTooManyFiles):
		return Invalid{"files": form.With("helpdesk.file.many", "Max", MaxFiles)}
	}
	return err
}

// file sends a file of the route's ticket: to the requester those of the public thread, to the
// operators (desk) those of the internal notes too.
func (h *Handlers) file(desk bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		t := ticketOf(c)
		fid, err := web.ID(c, "fid")
		if err != nil {
			return err
		}
		f, r, err := h.svc.OpenFile(c.UserContext(), t.ID, fid, desk)
		if err != nil {
			return err
		}
		c.Set("X-Content-Type-Options", "nosniff")
		return web.SendStored(c, r, f.ContentType, f.Name, f.Size)
	}
}

// FilesURL is the folder of a ticket's files, ending in "/": the requester's (desk false) or the
// operators'; a file's address is it followed by the file's id.
func FilesURL(desk bool, ticketID int64) string {
	base := Reserved
	if desk {
		base = Queue
	}
	return base + "/" + strconv.FormatInt(ticketID, 10) + "/allegati/"
}
