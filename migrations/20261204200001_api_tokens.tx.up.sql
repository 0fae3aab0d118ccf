{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
-- API tokens of the headless content API. The secret itself is never stored: secret_hash is the
-- hex SHA-256 of the whole token ("pass_…"), lookup its first characters after the prefix, which
-- find the row before the hash is compared in constant time.
CREATE TABLE api_tokens (
    id {{template "pk" .}},
    name VARCHAR(100) NOT NULL,
    lookup VARCHAR(16) NOT NULL,
    secret_hash VARCHAR(64) NOT NULL,
    scopes VARCHAR(200) NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at {{template "ts" .}} NOT NULL,
    expires_at {{template "ts" .}} NOT NULL,
    last_used_at {{template "ts" .}},
    revoked_at {{template "ts" .}},
    revoked_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
--bun:split
CREATE INDEX api_tokens_lookup ON api_tokens (lookup);
