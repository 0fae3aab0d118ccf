{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
-- the knowledge base's "was it useful?" votes (app/kb): one per article and browser, the browser
-- known only by the SHA-256 of a random cookie; a comment only with a "no"
CREATE TABLE kb_feedback (
    id {{template "pk" .}},
    entry_id BIGINT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    useful BOOLEAN NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    voter VARCHAR(64) NOT NULL,
    lang VARCHAR(5) NOT NULL DEFAULT '',
    created_at {{template "ts" .}} NOT NULL,
    UNIQUE (entry_id, voter)
);
--bun:split
CREATE INDEX kb_feedback_entry ON kb_feedback (entry_id, created_at);
