{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
-- The statistics (app/stats): one row of facts per submitted request (its times in whole days and
-- the daily cells it adds), and the monthly roll-up of those cells in two cuts: by task force and
-- procedure (province ''), and by task force and province (procedure 0). Listeners of request
-- events keep them; `passhub stats rebuild` recomputes them.
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
    days_to_triage INTEGER,
    days_to_start INTEGER,
    days_to_conclusion INTEGER,
    stay_submitted INTEGER,
    stay_assigned INTEGER,
    stay_in_progress INTEGER,
    stay_waiting INTEGER,
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
-- The daily cells each request added, apart: the facts stay narrow for the scans of durations.
CREATE TABLE stats_request_cells (
    request_id BIGINT PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
    ente_id BIGINT NOT NULL,
    cells TEXT NOT NULL
);
--bun:split
CREATE INDEX stats_request_cells_ente ON stats_request_cells (ente_id);
--bun:split
CREATE INDEX stats_requests_ente ON stats_requests (ente_id, filed_at);
--bun:split
CREATE INDEX stats_requests_state ON stats_requests (state, state_since);
--bun:split
CREATE INDEX stats_requests_task_force ON stats_requests (task_force, filed_at);
--bun:split
CREATE INDEX stats_requests_province ON stats_requests (province, filed_at);
--bun:split
CREATE INDEX stats_requests_procedure ON stats_requests (procedure_id, filed_at);
--bun:split
-- The distributions of durations, read from these indexes alone.
CREATE INDEX stats_requests_triage ON stats_requests (triaged_at, days_to_triage);
--bun:split
CREATE INDEX stats_requests_start ON stats_requests (started_at, days_to_start);
--bun:split
CREATE INDEX stats_requests_conclusion ON stats_requests (concluded_at, days_to_conclusion, task_force, procedure_id, province);
--bun:split
CREATE INDEX stats_requests_stays ON stats_requests (filed_at, stay_submitted, stay_assigned, stay_in_progress, stay_waiting);
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
