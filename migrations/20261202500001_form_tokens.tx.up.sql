{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
CREATE TABLE form_tokens (
    token VARCHAR(64) PRIMARY KEY,
    user_id BIGINT NOT NULL DEFAULT 0,
    url TEXT NOT NULL DEFAULT '',
    created_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX form_tokens_created ON form_tokens (created_at);
