{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
CREATE TABLE media (
    id {{template "pk" .}},
    kind VARCHAR(20) NOT NULL,
    name TEXT NOT NULL,
    url_name TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    alt TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    width INTEGER NOT NULL DEFAULT 0,
    height INTEGER NOT NULL DEFAULT 0,
    storage_key TEXT NOT NULL UNIQUE,
    uploaded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    uploader TEXT NOT NULL DEFAULT '',
    created_at {{template "ts" .}} NOT NULL,
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX media_kind_id ON media (kind, id);
