{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
{{define "blob"}}{{if eq .Dialect "pg"}}BYTEA{{else}}BLOB{{end}}{{end}}
CREATE TABLE entries (
    id {{template "pk" .}},
    type VARCHAR(20) NOT NULL,
    slug VARCHAR(200) NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    published_on {{template "ts" .}},
    weight INTEGER NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '',
    task_force VARCHAR(20) NOT NULL DEFAULT '',
    source_path TEXT NOT NULL DEFAULT '',
    imported_hash VARCHAR(64) NOT NULL DEFAULT '',
    current_revision_id BIGINT,
    published_revision_id BIGINT,
    edited_since_import BOOLEAN NOT NULL DEFAULT FALSE,
    created_at {{template "ts" .}} NOT NULL,
    updated_at {{template "ts" .}} NOT NULL,
    UNIQUE (type, slug)
);
--bun:split
CREATE INDEX entries_type_date ON entries (type, published_on);
--bun:split
CREATE TABLE revisions (
    id {{template "pk" .}},
    entry_id BIGINT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    source TEXT NOT NULL,
    hash VARCHAR(64) NOT NULL,
    origin VARCHAR(20) NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    created_at {{template "ts" .}} NOT NULL,
    UNIQUE (entry_id, number)
);
--bun:split
CREATE TABLE attachments (
    id {{template "pk" .}},
    entry_id BIGINT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    name VARCHAR(200) NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    content_type VARCHAR(100) NOT NULL,
    size BIGINT NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    data {{template "blob" .}} NOT NULL,
    created_at {{template "ts" .}} NOT NULL,
    UNIQUE (entry_id, name)
);
--bun:split
CREATE TABLE task_forces (
    id {{template "pk" .}},
    code VARCHAR(20) NOT NULL UNIQUE,
    slug VARCHAR(200) NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    weight INTEGER NOT NULL DEFAULT 0,
    entry_id BIGINT REFERENCES entries (id) ON DELETE SET NULL,
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE TABLE procedures (
    id {{template "pk" .}},
    code VARCHAR(20) NOT NULL UNIQUE,
    slug VARCHAR(200) NOT NULL UNIQUE,
    task_force_id BIGINT NOT NULL REFERENCES task_forces (id),
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    accepts_requests BOOLEAN NOT NULL DEFAULT TRUE,
    office TEXT NOT NULL DEFAULT '',
    responsible TEXT NOT NULL DEFAULT '',
    legal_basis TEXT NOT NULL DEFAULT '',
    duration TEXT NOT NULL DEFAULT '',
    costs TEXT NOT NULL DEFAULT '',
    documents TEXT NOT NULL DEFAULT '',
    entry_id BIGINT REFERENCES entries (id) ON DELETE SET NULL,
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE TABLE contact_messages (
    id {{template "pk" .}},
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    ente TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    message TEXT NOT NULL,
    lang VARCHAR(5) NOT NULL DEFAULT 'it',
    remote_addr VARCHAR(64) NOT NULL DEFAULT '',
    created_at {{template "ts" .}} NOT NULL
);
