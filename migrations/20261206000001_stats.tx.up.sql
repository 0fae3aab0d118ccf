{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
-- The statistics' roll-ups (app/stats): one row of facts per submitted request, with the cells it
-- adds to the roll-ups, and the daily and monthly sums of those cells by task force, procedure and
-- province. Listeners of request events keep them; `passhub stats rebuild` recomputes them.
CREATE TABLE stats_requests (
    request_id BIGINT PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
    ente_id BIGINT NOT NULL,
    province VARCHAR(2) NOT NULL DEFAULT '',
    task_force VARCHAR(20) NOT NULL DEFAULT '',
    procedure_id BIGINT NOT NULL,
    state VARCHAR(20) NOT NULL,
    state_since {{template "ts" .}},
    filed_at {{template "ts" .}},
    triaged_at {{template "ts" .}},
    started_at {{template "ts" .}},
    concluded_at {{template "ts" .}},
    closed_at {{template "ts" .}},
    integrations_open INTEGER NOT NULL DEFAULT 0,
    integration_due {{template "ts" .}},
    expert_minutes BIGINT NOT NULL DEFAULT 0,
    cells TEXT NOT NULL DEFAULT '[]',
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX stats_requests_ente ON stats_requests (ente_id, filed_at);
--bun:split
CREATE INDEX stats_requests_state ON stats_requests (state, state_since);
--bun:split
CREATE TABLE stats_daily (
    period VARCHAR(10) NOT NULL,
    task_force VARCHAR(20) NOT NULL,
    procedure_id BIGINT NOT NULL,
    province VARCHAR(2) NOT NULL,
    measure VARCHAR(40) NOT NULL,
    bucket INTEGER NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (period, task_force, procedure_id, province, measure, bucket)
);
--bun:split
CREATE INDEX stats_daily_measure ON stats_daily (measure, period);
--bun:split
CREATE TABLE stats_monthly (
    period VARCHAR(10) NOT NULL,
    task_force VARCHAR(20) NOT NULL,
    procedure_id BIGINT NOT NULL,
    province VARCHAR(2) NOT NULL,
    measure VARCHAR(40) NOT NULL,
    bucket INTEGER NOT NULL,
    n BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (period, task_force, procedure_id, province, measure, bucket)
);
--bun:split
CREATE INDEX stats_monthly_measure ON stats_monthly (measure, period);
