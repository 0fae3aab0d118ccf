{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
-- the comuni of a province's convention: which province follows which comune, since when, until when
CREATE TABLE territory_comuni (
    id {{template "pk" .}},
    province_id BIGINT NOT NULL REFERENCES enti (id),
    comune_id BIGINT NOT NULL REFERENCES enti (id),
    since DATE NOT NULL,
    until DATE,
    UNIQUE (province_id, comune_id)
);
--bun:split
-- a comune is followed by one province at a time
CREATE UNIQUE INDEX territory_comuni_current ON territory_comuni (comune_id) WHERE until IS NULL;
--bun:split
-- the province's comuni record: people to call
CREATE TABLE crm_contacts (
    id {{template "pk" .}},
    province_id BIGINT NOT NULL REFERENCES enti (id),
    comune_id BIGINT NOT NULL REFERENCES enti (id),
    name VARCHAR(200) NOT NULL,
    role VARCHAR(200) NOT NULL DEFAULT '',
    phone VARCHAR(50) NOT NULL DEFAULT '',
    email VARCHAR(254) NOT NULL DEFAULT '',
    pec VARCHAR(254) NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users (id),
    created_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX crm_contacts_record ON crm_contacts (province_id, comune_id);
--bun:split
-- calls, meetings, e-mails with a comune, with an optional follow-up date
CREATE TABLE crm_interactions (
    id {{template "pk" .}},
    province_id BIGINT NOT NULL REFERENCES enti (id),
    comune_id BIGINT NOT NULL REFERENCES enti (id),
    kind VARCHAR(20) NOT NULL,
    happened_on DATE NOT NULL,
    summary TEXT NOT NULL,
    follow_up_on DATE,
    follow_up_done_at {{template "ts" .}},
    created_by BIGINT REFERENCES users (id),
    created_by_name VARCHAR(200) NOT NULL DEFAULT '',
    created_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX crm_interactions_record ON crm_interactions (province_id, comune_id, happened_on);
--bun:split
-- the follow-ups still open, by date (the dashboard's card, the daily reminder)
CREATE INDEX crm_interactions_due ON crm_interactions (follow_up_on, province_id) WHERE follow_up_done_at IS NULL AND follow_up_on IS NOT NULL;
--bun:split
-- the agreements (convenzioni) with a comune: dates, services subscribed, amounts in cents
CREATE TABLE crm_agreements (
    id {{template "pk" .}},
    province_id BIGINT NOT NULL REFERENCES enti (id),
    comune_id BIGINT NOT NULL REFERENCES enti (id),
    title VARCHAR(200) NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE,
    services TEXT NOT NULL DEFAULT '',
    due_cents BIGINT NOT NULL DEFAULT 0,
    paid_cents BIGINT NOT NULL DEFAULT 0,
    notes TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users (id),
    created_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX crm_agreements_record ON crm_agreements (province_id, comune_id, starts_on);
