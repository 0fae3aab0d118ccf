package storage

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxNameLength is the longest file name kept, in characters.
const MaxNameLength = 150

// CleanName is the one place where the name of an uploaded file is made safe to store and show:
// its last path element (slashes and backslashes), in NFC, without control and format characters
// (bidirectional overrides such as U+202E would show "report\u202efdp.csv" as "reportvsc.pdf"),
// line or paragraph separators, or characters file systems refuse, trimmed, and at most
// MaxNameLength characters with its extension kept. What is left empty, "." or ".." becomes
// fallback.
func CleanName(name, fallback string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co) || r == utf8.RuneError:
			return -1
		case strings.ContainsRune(`"<>|:*?`, r):
			return '_'
		case unicode.IsSpace(r):
			return ' '
		}
		return r
	}, norm.NFC.String(name))
	name = strings.TrimRight(strings.TrimSpace(name), ". ")
	if name == "" || name == "." || name == ".." {
		return fallback
	}
	if utf8.RuneCountInString(name) > MaxNameLength {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 20 {
			ext = ""
		}
		base := []rune(strings.TrimSuffix(name, ext))
		name = strings.TrimSpace(string(base[:MaxNameLength-utf8.RuneCountInString(ext)])) + ext
	}
	return name
}
