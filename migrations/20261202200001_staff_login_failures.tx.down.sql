{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
ALTER TABLE users ADD COLUMN locked_until {{template "ts" .}};
--bun:split
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
--bun:split
DROP TABLE staff_login_failures;
