{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
CREATE TABLE request_outcomes (
    id {{template "pk" .}},
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    stage VARCHAR(20) NOT NULL,
    asked_at {{template "ts" .}} NOT NULL,
    answered_at {{template "ts" .}},
    answered_by BIGINT REFERENCES users (id),
    backlog_pending INTEGER,
    backlog_avg_days INTEGER,
    UNIQUE (request_id, stage)
);
--bun:split
-- the asks still waiting for the ente (the reserved home, the workspace's link)
CREATE INDEX request_outcomes_pending ON request_outcomes (request_id) WHERE answered_at IS NULL;
--bun:split
-- the conclusions, by time (the daily six-month ask)
CREATE INDEX request_events_concluded ON request_events (at, request_id) WHERE kind = 'concluded';
