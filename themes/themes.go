// Package themes embeds the default theme: layouts, partials, pages and message catalogues. A
// custom theme folder (PASSHUB_THEME_DIR) is layered over it and may override any file.
package themes

import (
	"embed"
	"io/fs"
)

//go:embed default
var embedded embed.FS

// Default returns the default theme's files.
func Default() fs.FS {
	sub, err := fs.Sub(embedded, "default")
	if err != nil {
		panic(err)
	}
	return sub
}
