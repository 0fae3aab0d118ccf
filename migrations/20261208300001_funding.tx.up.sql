{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
-- calls for funding (bandi): their own data, not content entries
CREATE TABLE funding_calls (
    id {{template "pk" .}},
    code VARCHAR(80),
    slug VARCHAR(120) NOT NULL UNIQUE,
    title VARCHAR(300) NOT NULL,
    programme VARCHAR(120) NOT NULL,
    authority VARCHAR(200) NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    budget BIGINT,
    co_funding INTEGER,
    beneficiaries TEXT NOT NULL DEFAULT '',
    url VARCHAR(500) NOT NULL DEFAULT '',
    opens_on VARCHAR(10) NOT NULL DEFAULT '',
    closes_on VARCHAR(10) NOT NULL DEFAULT '',
    forced_status VARCHAR(20) NOT NULL DEFAULT '',
    published_at {{template "ts" .}},
    created_at {{template "ts" .}} NOT NULL,
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
-- the import's external code: re-importing a row updates its call
CREATE UNIQUE INDEX funding_calls_code ON funding_calls (code) WHERE code IS NOT NULL;
--bun:split
CREATE INDEX funding_calls_programme ON funding_calls (programme, published_at);
--bun:split
CREATE TABLE funding_call_topics (
    call_id BIGINT NOT NULL REFERENCES funding_calls (id) ON DELETE CASCADE,
    topic VARCHAR(80) NOT NULL,
    PRIMARY KEY (call_id, topic)
);
--bun:split
CREATE INDEX funding_call_topics_topic ON funding_call_topics (topic, call_id);
--bun:split
-- the deadlines of a call (stage 1, stage 2...): a date, a time in Europe/Rome or none (all day)
CREATE TABLE funding_deadlines (
    id {{template "pk" .}},
    call_id BIGINT NOT NULL REFERENCES funding_calls (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label VARCHAR(120) NOT NULL DEFAULT '',
    due_on VARCHAR(10) NOT NULL,
    due_time VARCHAR(5) NOT NULL DEFAULT '',
    UNIQUE (call_id, position)
);
--bun:split
CREATE INDEX funding_deadlines_due ON funding_deadlines (due_on, call_id);
--bun:split
-- one person's alerts: topics and programmes, the channel and how many days before a deadline
CREATE TABLE funding_subscriptions (
    id {{template "pk" .}},
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    channel VARCHAR(20) NOT NULL,
    days_before INTEGER NOT NULL,
    created_at {{template "ts" .}} NOT NULL,
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE TABLE funding_subscription_items (
    subscription_id BIGINT NOT NULL REFERENCES funding_subscriptions (id) ON DELETE CASCADE,
    kind VARCHAR(20) NOT NULL,
    value VARCHAR(120) NOT NULL,
    PRIMARY KEY (subscription_id, kind, value)
);
--bun:split
-- the reminders sent: one per subscription and deadline, so a rerun never sends twice
CREATE TABLE funding_reminders_sent (
    subscription_id BIGINT NOT NULL REFERENCES funding_subscriptions (id) ON DELETE CASCADE,
    deadline_id BIGINT NOT NULL REFERENCES funding_deadlines (id) ON DELETE CASCADE,
    sent_at {{template "ts" .}} NOT NULL,
    PRIMARY KEY (subscription_id, deadline_id)
);
--bun:split
-- the new calls told to a subscription at once
CREATE TABLE funding_news_sent (
    subscription_id BIGINT NOT NULL REFERENCES funding_subscriptions (id) ON DELETE CASCADE,
    call_id BIGINT NOT NULL REFERENCES funding_calls (id) ON DELETE CASCADE,
    sent_at {{template "ts" .}} NOT NULL,
    PRIMARY KEY (subscription_id, call_id)
);
--bun:split
-- the weekly bulletins sent: one per subscription and week (ISO, e.g. 2026-W50)
CREATE TABLE funding_bulletins_sent (
    subscription_id BIGINT NOT NULL REFERENCES funding_subscriptions (id) ON DELETE CASCADE,
    week VARCHAR(10) NOT NULL,
    sent_at {{template "ts" .}} NOT NULL,
    PRIMARY KEY (subscription_id, week)
);
