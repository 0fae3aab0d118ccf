{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
ALTER TABLE revisions ADD COLUMN slug VARCHAR(200) NOT NULL DEFAULT '';
--bun:split
CREATE TABLE content_redirects (
    id {{template "pk" .}},
    type VARCHAR(20) NOT NULL,
    from_slug VARCHAR(200) NOT NULL,
    to_slug VARCHAR(200) NOT NULL,
    entry_id BIGINT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    created_at {{template "ts" .}} NOT NULL,
    UNIQUE (type, from_slug)
);
--bun:split
CREATE INDEX content_redirects_to ON content_redirects (type, to_slug);
