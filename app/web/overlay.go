package web

import (
	"errors"
	"io"
	"io/fs"
	"sort"
)

// Overlay is a file system whose upper layer overrides the lower one file by file; directories
// list the union of both layers. It lets a custom theme folder replace any file of the default.
type Overlay struct {
	Upper, Lower fs.FS
}

// Open opens name from the upper layer, else from the lower one.
func (o Overlay) Open(name string) (fs.File, error) {
	if o.Upper != nil {
		if st, err := fs.Stat(o.Upper, name); err == nil {
			if !st.IsDir() {
				return o.Upper.Open(name)
			}
			return o.openDir(name, st)
		}
	}
	st, err := fs.Stat(o.Lower, name)
	if err != nil {
		return nil, err
	}
	if st.IsDir() && o.Upper != nil {
		return o.openDir(name, st)
	}
	return o.Lower.Open(name)
}

// ReadDir lists the union of name in both layers, the upper layer's entries winning.
func (o Overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	seen := map[string]fs.DirEntry{}
	var firstErr error
	for _, layer := range []fs.FS{o.Lower, o.Upper} {
		if layer == nil {
			continue
		}
		entries, err := fs.ReadDir(layer, name)
		if err != nil {
			firstErr = err
			continue
		}
		for _, e := range entries {
			seen[e.Name()] = e
		}
	}
	if len(seen) == 0 && firstErr != nil {
		return nil, firstErr
	}
	out := make([]fs.DirEntry, 0, len(seen))
	for _, e := range seen {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

func (o Overlay) openDir(name string, st fs.FileInfo) (fs.File, error) {
	entries, err := o.ReadDir(name)
	if err != nil {
		return nil, err
	}
	return &dirFile{info: st, entries: entries}, nil
}

type dirFile struct {
	info    fs.FileInfo
	entries []fs.DirEntry
	pos     int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dirFile) Read([]byte) (int, error)   { return 0, errors.New("is a directory") }
func (d *dirFile) Close() error               { return nil }

func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.pos:]
	if n <= 0 {
		d.pos = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if n > len(rest) {
		n = len(rest)
	}
	d.pos += n
	return rest[:n], nil
}

var _ fs.ReadDirFile = (*dirFile)(nil)
