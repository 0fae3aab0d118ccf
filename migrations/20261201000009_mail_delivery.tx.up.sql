{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
ALTER TABLE users ADD COLUMN lang VARCHAR(5) NOT NULL DEFAULT 'it';
--bun:split
ALTER TABLE users ADD COLUMN email_bounced_at {{template "ts" .}};
--bun:split
ALTER TABLE users ADD COLUMN email_bounce VARCHAR(500) NOT NULL DEFAULT '';
