{{define "ts"}}{{if eq .Dialect "pg"}}TIMESTAMPTZ{{else}}TIMESTAMP{{end}}{{end}}
ALTER TABLE revisions ADD COLUMN state VARCHAR(20) NOT NULL DEFAULT 'published';
--bun:split
ALTER TABLE revisions ADD COLUMN comment TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE revisions ADD COLUMN author_id BIGINT;
--bun:split
ALTER TABLE revisions ADD COLUMN publish_at {{template "ts" .}};
--bun:split
ALTER TABLE revisions ADD COLUMN unpublish_at {{template "ts" .}};
--bun:split
ALTER TABLE revisions ADD COLUMN scheduled_by BIGINT;
--bun:split
ALTER TABLE revisions ADD COLUMN updated_at {{template "ts" .}};
--bun:split
UPDATE revisions SET state = 'archived'
    WHERE id NOT IN (SELECT published_revision_id FROM entries WHERE published_revision_id IS NOT NULL);
--bun:split
CREATE INDEX revisions_state ON revisions (state);
