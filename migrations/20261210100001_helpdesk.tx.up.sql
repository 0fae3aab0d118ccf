{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
-- help-desk tickets: a question from any channel (reserved page, contact form, e-mail, phone)
CREATE TABLE helpdesk_tickets (
    id {{template "pk" .}},
    token VARCHAR(40) NOT NULL,
    subject VARCHAR(200) NOT NULL,
    category VARCHAR(30) NOT NULL,
    priority VARCHAR(10) NOT NULL,
    status VARCHAR(10) NOT NULL,
    channel VARCHAR(10) NOT NULL,
    requester_id BIGINT REFERENCES users (id),
    requester_name VARCHAR(200) NOT NULL,
    requester_email VARCHAR(254) NOT NULL,
    requester_phone VARCHAR(40) NOT NULL DEFAULT '',
    ente_id BIGINT REFERENCES enti (id),
    ente_name VARCHAR(200) NOT NULL DEFAULT '',
    assignee_id BIGINT REFERENCES users (id),
    lang VARCHAR(5) NOT NULL,
    contact_message_id BIGINT REFERENCES contact_messages (id),
    merged_into BIGINT REFERENCES helpdesk_tickets (id),
    answer_due {{template "ts" .}} NOT NULL,
    resolve_due {{template "ts" .}} NOT NULL,
    answered_at {{template "ts" .}},
    waiting_since {{template "ts" .}},
    resolved_at {{template "ts" .}},
    closed_at {{template "ts" .}},
    reminded_answer_at {{template "ts" .}},
    reminded_resolve_at {{template "ts" .}},
    rating INTEGER,
    rating_comment TEXT NOT NULL DEFAULT '',
    rated_at {{template "ts" .}},
    created_at {{template "ts" .}} NOT NULL,
    updated_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX helpdesk_tickets_token ON helpdesk_tickets (token);
--bun:split
CREATE UNIQUE INDEX helpdesk_tickets_contact ON helpdesk_tickets (contact_message_id);
--bun:split
-- the queue: the tickets still to work on (a few percent of them all)
CREATE INDEX helpdesk_tickets_queue ON helpdesk_tickets (resolve_due, id) WHERE status IN ('new', 'open', 'waiting') AND merged_into IS NULL;
--bun:split
-- the resolved and the closed, newest first
CREATE INDEX helpdesk_tickets_updated ON helpdesk_tickets (status, updated_at, id);
--bun:split
CREATE INDEX helpdesk_tickets_assignee ON helpdesk_tickets (assignee_id, status);
--bun:split
CREATE INDEX helpdesk_tickets_requester ON helpdesk_tickets (requester_id, updated_at);
--bun:split
-- the thread: public messages (requester and operators), internal notes, the desk's own lines
CREATE TABLE helpdesk_messages (
    id {{template "pk" .}},
    ticket_id BIGINT NOT NULL REFERENCES helpdesk_tickets (id) ON DELETE CASCADE,
    kind VARCHAR(10) NOT NULL,
    author_id BIGINT REFERENCES users (id),
    author_name VARCHAR(200) NOT NULL,
    from_desk BOOLEAN NOT NULL DEFAULT FALSE,
    channel VARCHAR(10) NOT NULL,
    body TEXT NOT NULL,
    mail_id VARCHAR(250),
    mailed_at {{template "ts" .}},
    created_at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX helpdesk_messages_ticket ON helpdesk_messages (ticket_id, id);
--bun:split
-- a Message-ID received or sent once: a mail delivered twice is one message, and a reply's
-- In-Reply-To finds its ticket
CREATE UNIQUE INDEX helpdesk_messages_mail ON helpdesk_messages (mail_id);
--bun:split
CREATE TABLE helpdesk_canned (
    id {{template "pk" .}},
    title VARCHAR(120) NOT NULL,
    body TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at {{template "ts" .}} NOT NULL
);
