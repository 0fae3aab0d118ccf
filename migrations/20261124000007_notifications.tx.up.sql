{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
CREATE TABLE notifications (
    id {{template "pk" .}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind VARCHAR(40) NOT NULL,
    subject TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    created_at {{template "ts" .}} NOT NULL,
    read_at {{template "ts" .}}
);
--bun:split
CREATE INDEX notifications_user ON notifications (user_id, read_at, created_at);
