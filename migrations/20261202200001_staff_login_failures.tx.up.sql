{{define "pk"}}{{if eq .Dialect "pg"}}BIGSERIAL PRIMARY KEY{{else}}INTEGER PRIMARY KEY AUTOINCREMENT{{end}}{{end}}
{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
CREATE TABLE staff_login_failures (
    id {{template "pk" .}},
    username VARCHAR(100) NOT NULL,
    ip VARCHAR(64) NOT NULL,
    at {{template "ts" .}} NOT NULL
);
--bun:split
CREATE INDEX staff_login_failures_pair ON staff_login_failures (username, ip, at);
--bun:split
CREATE INDEX staff_login_failures_ip ON staff_login_failures (ip, at);
--bun:split
ALTER TABLE users DROP COLUMN failed_logins;
--bun:split
ALTER TABLE users DROP COLUMN locked_until;
