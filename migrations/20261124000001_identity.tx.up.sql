{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
CREATE TABLE users (
    id {{template "pk" .}},
    fiscal_code VARCHAR(22) UNIQUE,
    username VARCHAR(100) UNIQUE,
    email TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    family_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    totp_secret TEXT NOT NULL DEFAULT '',
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until {{template "ts" .}},
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    last_login_at {{template "ts" .}},
    last_method VARCHAR(20) NOT NULL DEFAULT '',
    created_at {{template "ts" .}} NOT NULL,
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE TABLE user_roles (
    id {{template "pk" .}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role VARCHAR(20) NOT NULL,
    task_force VARCHAR(20) NOT NULL DEFAULT '',
    granted_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at {{template "ts" .}} NOT NULL,
    UNIQUE (user_id, role, task_force)
);
--bun:split
CREATE TABLE sessions (
    id VARCHAR(64) PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method VARCHAR(20) NOT NULL,
    level INTEGER NOT NULL DEFAULT 0,
    ip VARCHAR(64) NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    created_at {{template "ts" .}} NOT NULL,
    last_seen_at {{template "ts" .}} NOT NULL,
    expires_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX sessions_user ON sessions (user_id);
--bun:split
CREATE TABLE audit_entries (
    id {{template "pk" .}},
    at {{template "ts" .}} NOT NULL,
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor TEXT NOT NULL DEFAULT '',
    action VARCHAR(60) NOT NULL,
    object_type VARCHAR(40) NOT NULL DEFAULT '',
    object_id BIGINT,
    ente_id BIGINT,
    ip VARCHAR(64) NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
--bun:split
CREATE INDEX audit_entries_at ON audit_entries (at);
