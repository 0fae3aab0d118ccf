// Package static embeds the project's own CSS, JavaScript and images, and the third-party assets
// that `make assets` copies from npm into vendor/ (ignored by git).
package static

import "embed"

// FS holds every file of this folder; vendor/ is present once `make assets` has run.
//
//go:embed *
var FS embed.FS
