// Package content owns the editorial content of PAsS: Markdown files with YAML front matter
// (pages, guide, task forces, procedure sheets, news, reports), imported into the database as
// revisions, rendered by goldmark and served from a render cache. It may not import other domains;
// the catalogue and other readers subscribe to imports through Syncer.
package content
