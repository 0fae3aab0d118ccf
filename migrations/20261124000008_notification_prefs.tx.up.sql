{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
CREATE TABLE notification_prefs (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic VARCHAR(20) NOT NULL,
    mode VARCHAR(10) NOT NULL,
    PRIMARY KEY (user_id, topic)
);
--bun:split
ALTER TABLE notifications ADD COLUMN emailed_at {{template "ts" .}};
