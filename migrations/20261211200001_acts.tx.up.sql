{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
-- the acts drafted from the templates (app/acts): which version of which template a person used,
-- for which ente, in which format ('' for answers saved without a document); the answers are
-- kept on a person's latest use of a template only (to pick up where they left), as JSON
CREATE TABLE act_uses (
    id {{template "pk" .}},
    entry_id BIGINT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    ente_id BIGINT REFERENCES enti (id) ON DELETE SET NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    format VARCHAR(8) NOT NULL DEFAULT '',
    answers TEXT NOT NULL DEFAULT '',
    created_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX act_uses_entry ON act_uses (entry_id, ente_id, version);
--bun:split
CREATE INDEX act_uses_user ON act_uses (user_id, entry_id, created_at);
