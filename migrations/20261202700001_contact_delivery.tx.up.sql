{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
ALTER TABLE contact_messages ADD COLUMN staff_mailed_at {{template "ts" .}};
--bun:split
ALTER TABLE contact_messages ADD COLUMN ack_mailed_at {{template "ts" .}};
--bun:split
CREATE INDEX contact_messages_created ON contact_messages (created_at);
