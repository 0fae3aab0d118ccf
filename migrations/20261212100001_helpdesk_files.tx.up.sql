{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
-- files attached to a help-desk message (the reserved page, the queue, inbound mail); the bytes
-- are in the storage port under storage_key, checked like every upload
CREATE TABLE helpdesk_files (
    id {{template "pk" .}},
    ticket_id BIGINT NOT NULL REFERENCES helpdesk_tickets (id) ON DELETE CASCADE,
    message_id BIGINT NOT NULL REFERENCES helpdesk_messages (id) ON DELETE CASCADE,
    name VARCHAR(255) NOT NULL,
    content_type VARCHAR(150) NOT NULL,
    size BIGINT NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    storage_key VARCHAR(255) NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX helpdesk_files_ticket ON helpdesk_files (ticket_id, message_id);
--bun:split
CREATE INDEX helpdesk_files_key ON helpdesk_files (storage_key);
