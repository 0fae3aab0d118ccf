{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
CREATE TABLE requests (
    id {{template "pk" .}},
    ente_id BIGINT NOT NULL REFERENCES enti (id),
    procedure_id BIGINT NOT NULL REFERENCES procedures (id),
    task_force VARCHAR(20) NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    backlog_pending INTEGER NOT NULL DEFAULT 0,
    backlog_avg_days INTEGER NOT NULL DEFAULT 0,
    bottleneck TEXT NOT NULL DEFAULT '',
    desired_outcome TEXT NOT NULL DEFAULT '',
    state VARCHAR(20) NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at {{template "ts" .}} NOT NULL,
    submitted_at {{template "ts" .}},
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX requests_ente ON requests (ente_id, state);
--bun:split
CREATE INDEX requests_tf ON requests (task_force, state, submitted_at);
--bun:split
CREATE TABLE request_experts (
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    assigned_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at {{template "ts" .}} NOT NULL,
    PRIMARY KEY (request_id, user_id)
);
--bun:split
CREATE INDEX request_experts_user ON request_experts (user_id);
--bun:split
CREATE TABLE request_events (
    id {{template "pk" .}},
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    at {{template "ts" .}} NOT NULL,
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor TEXT NOT NULL DEFAULT '',
    kind VARCHAR(30) NOT NULL,
    from_state VARCHAR(20) NOT NULL DEFAULT '',
    to_state VARCHAR(20) NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
--bun:split
CREATE INDEX request_events_request ON request_events (request_id, at);
--bun:split
CREATE TABLE messages (
    id {{template "pk" .}},
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES users (id),
    author TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    created_at {{template "ts" .}} NOT NULL,
    edited_at {{template "ts" .}}
);
--bun:split
CREATE INDEX messages_request ON messages (request_id, created_at);
--bun:split
CREATE TABLE documents (
    id {{template "pk" .}},
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    deliverable BOOLEAN NOT NULL DEFAULT FALSE,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at {{template "ts" .}} NOT NULL,
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE TABLE document_versions (
    id {{template "pk" .}},
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    filename TEXT NOT NULL,
    content_type VARCHAR(120) NOT NULL,
    size BIGINT NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    uploader TEXT NOT NULL DEFAULT '',
    created_at {{template "ts" .}} NOT NULL,
    UNIQUE (document_id, number)
);
--bun:split
CREATE TABLE activities (
    id {{template "pk" .}},
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    expert_id BIGINT NOT NULL REFERENCES users (id),
    expert TEXT NOT NULL DEFAULT '',
    kind VARCHAR(30) NOT NULL,
    on_date {{template "ts" .}} NOT NULL,
    minutes INTEGER NOT NULL DEFAULT 0,
    description TEXT NOT NULL,
    document_id BIGINT REFERENCES documents (id) ON DELETE SET NULL,
    created_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE TABLE integrations (
    id {{template "pk" .}},
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    asked_by BIGINT NOT NULL REFERENCES users (id),
    items TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    due_on {{template "ts" .}} NOT NULL,
    answered_at {{template "ts" .}},
    answered_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    answer TEXT NOT NULL DEFAULT '',
    created_at {{template "ts" .}} NOT NULL
);
