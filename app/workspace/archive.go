package workspace

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
)

// Limits of a ZIP-based upload (ZIP, Office Open XML, OpenDocument). Only the archive's
// directory is read, never its contents (but the few bytes of OpenDocument's mimetype entry), so
// checking costs at most the directory's size whatever the entries claim to expand to.
const (
	MaxArchiveEntries   = 10_000  // entries in one archive
	MaxArchiveDirectory = 2 << 20 // bytes of its central directory
	MaxArchiveExpanded  = 1 << 30 // bytes its entries expand to, all together
)

// ErrArchive refuses an archive that cannot be read or that expands past the limits.
var ErrArchive = errors.New("workspace: the archive is damaged or expands past the limits")

// odfTypes are the mimetype entries OpenDocument files start with.
var odfTypes = map[string]string{
	".odt": "application/vnd.oasis.opendocument.text",
	".ods": "application/vnd.oasis.opendocument.spreadsheet",
	".odp": "application/vnd.oasis.opendocument.presentation",
}

// checkArchive reads the directory of a ZIP-based file within the archive limits and checks that
// an Office or OpenDocument file holds what its format requires.
func checkArchive(ext string, src io.ReaderAt, size int64) error {
	if err := checkDirectory(src, size); err != nil {
		return err
	}
	zr, err := zip.NewReader(src, size)
	if err != nil || len(zr.File) > MaxArchiveEntries {
		return ErrArchive
	}
	var expanded uint64
	entries := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		expanded += f.UncompressedSize64
		if f.UncompressedSize64 > MaxArchiveExpanded || expanded > MaxArchiveExpanded {
			return ErrArchive
		}
		entries[f.Name] = f
	}
	switch ext {
	case ".docx", ".xlsx", ".pptx":
		if entries["[Content_Types].xml"] == nil {
			return ErrMismatch
		}
	case ".odt", ".ods", ".odp":
		m := entries["mimetype"]
		if m == nil {
			return ErrMismatch
		}
		rc, err := m.Open()
		if err != nil {
			return ErrArchive
		}
		defer rc.Close()
		head, _ := io.ReadAll(io.LimitReader(rc, 100))
		if string(head) != odfTypes[ext] {
			return ErrMismatch
		}
	}
	return nil
}

// checkDirectory refuses, before the directory is parsed, an archive whose end record declares
// more entries or a larger directory than the limits.
func checkDirectory(src io.ReaderAt, size int64) error {
	const endLen = 22                   // end of central directory record, without its comment
	start := max(0, size-endLen-0xffff) // the record is in the last 64 KiB: only they are read
	data := make([]byte, size-start)
	if _, err := src.ReadAt(data, start); err != nil && err != io.EOF {
		return ErrArchive
	}
	from := 0
	i := bytes.LastIndex(data[from:], []byte("PK\x05\x06"))
	if i < 0 || from+i+endLen > len(data) {
		return ErrArchive
	}
	end := data[from+i:]
	entries := binary.LittleEndian.Uint16(end[10:])
	dirSize := binary.LittleEndian.Uint32(end[12:])
	if entries != 0xffff && int(entries) > MaxArchiveEntries || dirSize != 0xffffffff && dirSize > MaxArchiveDirectory {
		return ErrArchive
	}
	return nil
}
