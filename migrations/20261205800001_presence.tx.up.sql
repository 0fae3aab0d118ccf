{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
CREATE TABLE newsroom_presence (
    instance VARCHAR(40) NOT NULL,
    conn BIGINT NOT NULL,
    entry_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    seen_at {{template "ts" .}} NOT NULL,
    PRIMARY KEY (instance, conn, entry_id)
);
--bun:split
CREATE INDEX newsroom_presence_entry ON newsroom_presence (entry_id, seen_at);
