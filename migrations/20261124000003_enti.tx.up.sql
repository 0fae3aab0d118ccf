{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
CREATE TABLE enti (
    id {{template "pk" .}},
    istat_code VARCHAR(10) NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind VARCHAR(30) NOT NULL,
    province VARCHAR(2) NOT NULL DEFAULT '',
    region TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    pec TEXT NOT NULL DEFAULT '',
    status VARCHAR(20) NOT NULL DEFAULT 'unregistered',
    created_at {{template "ts" .}} NOT NULL,
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX enti_name ON enti (name);
--bun:split
CREATE TABLE registrations (
    id {{template "pk" .}},
    ente_id BIGINT NOT NULL REFERENCES enti (id),
    applicant_id BIGINT NOT NULL REFERENCES users (id),
    kind VARCHAR(20) NOT NULL DEFAULT 'first',
    role VARCHAR(30) NOT NULL,
    email TEXT NOT NULL,
    pec TEXT NOT NULL,
    protocol_name TEXT NOT NULL,
    protocol_key TEXT NOT NULL,
    protocol_sha256 VARCHAR(64) NOT NULL,
    protocol_size BIGINT NOT NULL,
    protocol_type VARCHAR(60) NOT NULL,
    protocol_signed BOOLEAN NOT NULL DEFAULT FALSE,
    status VARCHAR(20) NOT NULL DEFAULT 'pending',
    reason TEXT NOT NULL DEFAULT '',
    decided_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    decided_at {{template "ts" .}},
    created_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX registrations_status ON registrations (status, created_at);
--bun:split
CREATE UNIQUE INDEX registrations_one_pending ON registrations (ente_id) WHERE status = 'pending';
--bun:split
CREATE TABLE memberships (
    id {{template "pk" .}},
    ente_id BIGINT NOT NULL REFERENCES enti (id),
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role VARCHAR(20) NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_at {{template "ts" .}} NOT NULL,
    updated_at {{template "ts" .}} NOT NULL,
    UNIQUE (ente_id, user_id)
);
--bun:split
CREATE INDEX memberships_user ON memberships (user_id);
--bun:split
CREATE TABLE invitations (
    id {{template "pk" .}},
    ente_id BIGINT NOT NULL REFERENCES enti (id),
    fiscal_code VARCHAR(22) NOT NULL,
    email TEXT NOT NULL,
    invited_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    expires_at {{template "ts" .}} NOT NULL,
    accepted_at {{template "ts" .}},
    revoked BOOLEAN NOT NULL DEFAULT FALSE,
    created_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX invitations_code ON invitations (fiscal_code);
