{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
{{define "blob"}}{{if eq .Dialect "pg"}}BYTEA{{else}}BLOB{{end}}{{end}}
ALTER TABLE registrations ADD COLUMN signature_format VARCHAR(10) NOT NULL DEFAULT '';
--bun:split
ALTER TABLE registrations ADD COLUMN signer_name TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE registrations ADD COLUMN signer_fiscal_code VARCHAR(22) NOT NULL DEFAULT '';
--bun:split
ALTER TABLE registrations ADD COLUMN signer_issuer TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE registrations ADD COLUMN signed_at {{template "ts" .}};
--bun:split
ALTER TABLE registrations ADD COLUMN signer_certs {{template "blob" .}};
--bun:split
CREATE INDEX registrations_applicant_pending ON registrations (applicant_id) WHERE status = 'pending';
