{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
CREATE TABLE form_drafts (
    id VARCHAR(64) PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path VARCHAR(2000) NOT NULL,
    multipart BOOLEAN NOT NULL DEFAULT FALSE,
    had_files BOOLEAN NOT NULL DEFAULT FALSE,
    fields TEXT NOT NULL,
    created_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX form_drafts_created ON form_drafts (created_at);
