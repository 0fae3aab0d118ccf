{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
CREATE TABLE webhook_endpoints (
    id {{template "pk" .}},
    url TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    internal BOOLEAN NOT NULL DEFAULT FALSE,
    secret TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    failures INTEGER NOT NULL DEFAULT 0,
    disabled_at {{template "ts" .}},
    disabled_reason TEXT NOT NULL DEFAULT '',
    owner_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at {{template "ts" .}} NOT NULL,
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE TABLE webhook_subscriptions (
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event VARCHAR(80) NOT NULL,
    PRIMARY KEY (endpoint_id, event)
);
--bun:split
CREATE INDEX webhook_subscriptions_event ON webhook_subscriptions (event);
--bun:split
CREATE TABLE webhook_deliveries (
    id {{template "pk" .}},
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event VARCHAR(80) NOT NULL,
    event_key TEXT NOT NULL,
    msg_id VARCHAR(64) NOT NULL,
    payload TEXT NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_status INTEGER NOT NULL DEFAULT 0,
    last_duration_ms INTEGER NOT NULL DEFAULT 0,
    last_excerpt TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    created_at {{template "ts" .}} NOT NULL,
    attempted_at {{template "ts" .}},
    delivered_at {{template "ts" .}},
    UNIQUE (endpoint_id, event_key)
);
--bun:split
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
