{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
-- project sheets (schede progetto): an ente's project for a call for funding, and its partner search
CREATE TABLE project_sheets (
    id {{template "pk" .}},
    ente_id BIGINT NOT NULL REFERENCES enti (id),
    call_id BIGINT NOT NULL REFERENCES funding_calls (id),
    title VARCHAR(200) NOT NULL,
    summary TEXT NOT NULL,
    budget BIGINT,
    stage VARCHAR(20) NOT NULL,
    seeks_partners BOOLEAN NOT NULL DEFAULT FALSE,
    partner_profile TEXT NOT NULL DEFAULT '',
    partner_provinces VARCHAR(200) NOT NULL DEFAULT '',
    partners_until VARCHAR(10) NOT NULL DEFAULT '',
    published_at {{template "ts" .}},
    created_by BIGINT REFERENCES users (id),
    created_at {{template "ts" .}} NOT NULL,
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX project_sheets_ente ON project_sheets (ente_id, updated_at);
--bun:split
CREATE INDEX project_sheets_call ON project_sheets (call_id, published_at);
--bun:split
-- the open partner searches, newest first (the list's first filter)
CREATE INDEX project_sheets_seeking ON project_sheets (published_at) WHERE seeks_partners;
--bun:split
CREATE TABLE project_topics (
    project_id BIGINT NOT NULL REFERENCES project_sheets (id) ON DELETE CASCADE,
    topic VARCHAR(80) NOT NULL,
    PRIMARY KEY (project_id, topic)
);
--bun:split
CREATE INDEX project_topics_topic ON project_topics (topic, project_id);
--bun:split
-- an ente's answer to a partner search: one per ente and sheet, then accepted or declined
CREATE TABLE project_answers (
    id {{template "pk" .}},
    project_id BIGINT NOT NULL REFERENCES project_sheets (id) ON DELETE CASCADE,
    ente_id BIGINT NOT NULL REFERENCES enti (id),
    user_id BIGINT REFERENCES users (id),
    author VARCHAR(200) NOT NULL DEFAULT '',
    message TEXT NOT NULL,
    status VARCHAR(20) NOT NULL,
    reply TEXT NOT NULL DEFAULT '',
    created_at {{template "ts" .}} NOT NULL,
    decided_at {{template "ts" .}},
    UNIQUE (project_id, ente_id)
);
--bun:split
CREATE INDEX project_answers_ente ON project_answers (ente_id, created_at);
