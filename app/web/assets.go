package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Assets serves static files at URLs that carry a checksum of their content, so browsers may
// cache them for a year.
type Assets struct {
	fsys  fs.FS
	files map[string]asset
}

type asset struct {
	hash string
	data []byte
	mime string
}

// servedDirs are the folders of the static tree that are published.
var servedDirs = []string{"css", "js", "img", "vendor"}

// NewAssets reads every published file of fsys and computes its checksum.
func NewAssets(fsys fs.FS) (*Assets, error) {
	a := &Assets{fsys: fsys, files: map[string]asset{}}
	for _, dir := range servedDirs {
		err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == dir {
					return fs.SkipDir // vendor/ is missing until `make assets` runs
				}
				return err
			}
			if d.IsDir() {
				return nil
			}
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			ct := mime.TypeByExtension(path.Ext(p))
			if ct == "" {
				ct = "application/octet-stream"
			}
			a.files[p] = asset{hash: hex.EncodeToString(sum[:])[:12], data: data, mime: ct}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return a, nil
}

// URL returns the checksum URL of the static file p (e.g. "css/pass.css").
func (a *Assets) URL(p string) string {
	if f, ok := a.files[p]; ok {
		return "/static/" + f.hash + "/" + p
	}
	return "/static/0/" + p
}

// Has reports whether the static file p exists.
func (a *Assets) Has(p string) bool { _, ok := a.files[p]; return ok }

// Handler serves /static/<checksum>/<path>: immutable when the checksum matches, and revalidated
// otherwise (files referenced by relative URLs from a stylesheet, or by a page of an older build).
func (a *Assets) Handler(c *fiber.Ctx) error {
	p := c.Params("*")
	f, ok := a.files[p]
	if !ok {
		return fiber.ErrNotFound
	}
	if c.Params("hash") == f.hash {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	}
	c.Set(fiber.HeaderETag, `"`+f.hash+`"`)
	if strings.Contains(c.Get(fiber.HeaderIfNoneMatch), f.hash) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, f.mime)
	return c.Send(f.data)
}
