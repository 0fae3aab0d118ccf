{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
CREATE TABLE tender_documents (
    id {{template "pk" .}},
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    kind VARCHAR(30) NOT NULL,
    procedure_type VARCHAR(30) NOT NULL,
    threshold VARCHAR(10) NOT NULL,
    amount_min BIGINT NOT NULL DEFAULT 0,
    amount_max BIGINT NOT NULL DEFAULT 0,
    legal_basis TEXT NOT NULL DEFAULT '',
    valid_from {{template "ts" .}},
    valid_until {{template "ts" .}},
    author_ente_id BIGINT NOT NULL REFERENCES enti (id),
    status VARCHAR(20) NOT NULL,
    superseded_by BIGINT REFERENCES tender_documents (id) ON DELETE SET NULL,
    current_version_id BIGINT,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at {{template "ts" .}} NOT NULL,
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX tender_documents_status ON tender_documents (status, id);
--bun:split
CREATE TABLE tender_versions (
    id {{template "pk" .}},
    document_id BIGINT NOT NULL REFERENCES tender_documents (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    change_note TEXT NOT NULL DEFAULT '',
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    uploader TEXT NOT NULL DEFAULT '',
    created_at {{template "ts" .}} NOT NULL,
    UNIQUE (document_id, number)
);
--bun:split
CREATE TABLE tender_downloads (
    id {{template "pk" .}},
    document_id BIGINT NOT NULL REFERENCES tender_documents (id) ON DELETE CASCADE,
    version_id BIGINT NOT NULL REFERENCES tender_versions (id) ON DELETE CASCADE,
    ente_id BIGINT REFERENCES enti (id) ON DELETE SET NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    downloaded_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX tender_downloads_document ON tender_downloads (document_id, ente_id);
--bun:split
CREATE INDEX tender_downloads_ente ON tender_downloads (ente_id, downloaded_at);
