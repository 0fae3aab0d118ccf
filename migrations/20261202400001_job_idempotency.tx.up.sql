{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
ALTER TABLE notifications ADD COLUMN event_key VARCHAR(80);
--bun:split
CREATE UNIQUE INDEX notifications_event ON notifications (user_id, kind, event_key);
--bun:split
CREATE TABLE mail_deliveries (
    event_key VARCHAR(80) NOT NULL,
    recipient VARCHAR(320) NOT NULL,
    sent_at {{template "ts" .}} NOT NULL,
    PRIMARY KEY (event_key, recipient)
);
