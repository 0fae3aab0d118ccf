-- Back to the workspace rows of a request: every space of kind "request" gives its request_id
-- back to its rows; the rows of spaces of other kinds cannot be kept and are dropped.
{{if eq .Dialect "pg"}}
DROP INDEX messages_space;
--bun:split
DROP INDEX documents_space;
--bun:split
DROP INDEX activities_space;
--bun:split
DELETE FROM spaces WHERE request_id IS NULL;
--bun:split
ALTER TABLE messages ADD COLUMN request_id BIGINT REFERENCES requests (id) ON DELETE CASCADE;
--bun:split
UPDATE messages SET request_id = (SELECT s.request_id FROM spaces AS s WHERE s.id = messages.space_id);
--bun:split
ALTER TABLE messages ALTER COLUMN request_id SET NOT NULL;
--bun:split
ALTER TABLE messages DROP COLUMN space_id;
--bun:split
CREATE INDEX messages_request ON messages (request_id, created_at);
--bun:split
ALTER TABLE documents ADD COLUMN request_id BIGINT REFERENCES requests (id) ON DELETE CASCADE;
--bun:split
UPDATE documents SET request_id = (SELECT s.request_id FROM spaces AS s WHERE s.id = documents.space_id);
--bun:split
ALTER TABLE documents ALTER COLUMN request_id SET NOT NULL;
--bun:split
ALTER TABLE documents DROP COLUMN space_id;
--bun:split
ALTER TABLE activities ADD COLUMN request_id BIGINT REFERENCES requests (id) ON DELETE CASCADE;
--bun:split
UPDATE activities SET request_id = (SELECT s.request_id FROM spaces AS s WHERE s.id = activities.space_id);
--bun:split
ALTER TABLE activities ALTER COLUMN request_id SET NOT NULL;
--bun:split
ALTER TABLE activities DROP COLUMN space_id;
--bun:split
DROP TABLE spaces;
{{else}}
ALTER TABLE documents RENAME TO documents_old;
--bun:split
ALTER TABLE document_versions RENAME TO document_versions_old;
--bun:split
ALTER TABLE messages RENAME TO messages_old;
--bun:split
ALTER TABLE activities RENAME TO activities_old;
--bun:split
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    deliverable BOOLEAN NOT NULL DEFAULT FALSE,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    integration_id BIGINT REFERENCES integrations (id) ON DELETE SET NULL
);
--bun:split
INSERT INTO documents (id, request_id, name, deliverable, created_by, created_at, updated_at, integration_id)
SELECT d.id, s.request_id, d.name, d.deliverable, d.created_by, d.created_at, d.updated_at, d.integration_id
FROM documents_old AS d JOIN spaces AS s ON s.id = d.space_id WHERE s.request_id IS NOT NULL ORDER BY d.id;
--bun:split
CREATE TABLE document_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    filename TEXT NOT NULL,
    content_type VARCHAR(120) NOT NULL,
    size BIGINT NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    uploader TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    UNIQUE (document_id, number)
);
--bun:split
INSERT INTO document_versions (id, document_id, number, filename, content_type, size, sha256, storage_key, uploaded_by, uploader, created_at)
SELECT id, document_id, number, filename, content_type, size, sha256, storage_key, uploaded_by, uploader, created_at
FROM document_versions_old WHERE document_id IN (SELECT id FROM documents) ORDER BY id;
--bun:split
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES users (id),
    author TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP,
    document_id BIGINT REFERENCES documents (id) ON DELETE SET NULL
);
--bun:split
INSERT INTO messages (id, request_id, author_id, author, body, created_at, edited_at, document_id)
SELECT m.id, s.request_id, m.author_id, m.author, m.body, m.created_at, m.edited_at, m.document_id
FROM messages_old AS m JOIN spaces AS s ON s.id = m.space_id WHERE s.request_id IS NOT NULL ORDER BY m.id;
--bun:split
CREATE TABLE activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    expert_id BIGINT NOT NULL REFERENCES users (id),
    expert TEXT NOT NULL DEFAULT '',
    kind VARCHAR(30) NOT NULL,
    on_date TIMESTAMP NOT NULL,
    minutes INTEGER NOT NULL DEFAULT 0,
    description TEXT NOT NULL,
    document_id BIGINT REFERENCES documents (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
--bun:split
INSERT INTO activities (id, request_id, expert_id, expert, kind, on_date, minutes, description, document_id, created_at)
SELECT a.id, s.request_id, a.expert_id, a.expert, a.kind, a.on_date, a.minutes, a.description, a.document_id, a.created_at
FROM activities_old AS a JOIN spaces AS s ON s.id = a.space_id WHERE s.request_id IS NOT NULL ORDER BY a.id;
--bun:split
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT o.seq FROM sqlite_sequence AS o WHERE o.name = sqlite_sequence.name || '_old'), 0))
WHERE name IN ('documents', 'document_versions', 'messages', 'activities');
--bun:split
INSERT INTO sqlite_sequence (name, seq) SELECT substr(o.name, 1, length(o.name) - 4), o.seq FROM sqlite_sequence AS o
WHERE o.name IN ('documents_old', 'document_versions_old', 'messages_old', 'activities_old')
AND substr(o.name, 1, length(o.name) - 4) NOT IN (SELECT name FROM sqlite_sequence);
--bun:split
DROP TABLE messages_old;
--bun:split
DROP TABLE activities_old;
--bun:split
DROP TABLE document_versions_old;
--bun:split
DROP TABLE documents_old;
--bun:split
DROP TABLE spaces;
--bun:split
CREATE INDEX messages_request ON messages (request_id, created_at);
--bun:split
CREATE INDEX documents_integration ON documents (integration_id);
{{end}}
