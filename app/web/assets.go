package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
)

// Assets serves static files at URLs that carry a checksum of their content, so browsers may
// cache them for a year. Text files are also kept compressed (Brotli and gzip): from the .br and
// .gz files `make assets` writes beside the vendor files, or compressed at start.
type Assets struct {
	fsys  fs.FS
	files map[string]asset
}

type asset struct {
	hash   string
	data   []byte
	br, gz []byte // nil when the file is not worth compressing
	mime   string
}

// servedDirs are the folders of the static tree that are published.
var servedDirs = []string{"css", "js", "img", "vendor"}

// compressible reports whether files of this media type shrink when compressed (fonts and
// images other than SVG are compressed already).
func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "javascript") || strings.Contains(ct, "json") ||
		strings.HasPrefix(ct, "image/svg")
}

// NewAssets reads every published file of fsys, computes its checksum and its compressed forms.
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
			if ext := path.Ext(p); ext == ".br" || ext == ".gz" {
				if _, err := fs.Stat(fsys, strings.TrimSuffix(p, ext)); err == nil {
					return nil // the compressed form of another file, read with it
				}
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
			f := asset{hash: hex.EncodeToString(sum[:])[:12], data: data, mime: ct}
			if compressible(ct) && len(data) >= 256 {
				if f.br, err = precompressed(fsys, p+".br", data, compressBrotli); err != nil {
					return err
				}
				if f.gz, err = precompressed(fsys, p+".gz", data, compressGzip); err != nil {
					return err
				}
			}
			a.files[p] = f
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return a, nil
}

// precompressed reads the compressed file name, which `make assets` writes with the file it
// compresses; without it, it compresses data. Nil when compression does not make data smaller.
func precompressed(fsys fs.FS, name string, data []byte, compress func([]byte) ([]byte, error)) ([]byte, error) {
	if b, err := fs.ReadFile(fsys, name); err == nil && len(b) < len(data) && decompressesTo(b, data, path.Ext(name)) {
		return b, nil
	}
	b, err := compress(data)
	if err != nil || len(b) >= len(data) {
		return nil, err
	}
	return b, nil
}

// decompressesTo reports whether the compressed b holds exactly data, so a stale file left
// beside a changed one is never served.
func decompressesTo(b, data []byte, ext string) bool {
	var r io.Reader
	if ext == ".br" {
		r = brotli.NewReader(bytes.NewReader(b))
	} else {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return false
		}
		r = zr
	}
	got, err := io.ReadAll(io.LimitReader(r, int64(len(data))+1))
	return err == nil && bytes.Equal(got, data)
}

func compressBrotli(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, 6)
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func compressGzip(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
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
// Text files go out Brotli- or gzip-compressed to browsers that accept it.
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
	if f.br != nil || f.gz != nil {
		c.Vary(fiber.HeaderAcceptEncoding)
	}
	c.Set(fiber.HeaderETag, `"`+f.hash+`"`)
	if strings.Contains(c.Get(fiber.HeaderIfNoneMatch), f.hash) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, f.mime)
	body := f.data
	switch enc := AcceptedEncoding(c.Get(fiber.HeaderAcceptEncoding)); {
	case f.br != nil && enc["br"]:
		c.Set(fiber.HeaderContentEncoding, "br")
		body = f.br
	case f.gz != nil && enc["gzip"]:
		c.Set(fiber.HeaderContentEncoding, "gzip")
		body = f.gz
	}
	return c.Send(body)
}

// AcceptedEncoding returns the content codings an Accept-Encoding header accepts (q > 0).
func AcceptedEncoding(header string) map[string]bool {
	out := map[string]bool{}
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
			continue
		}
		out[name] = true
	}
	return out
}
