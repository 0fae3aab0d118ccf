DROP INDEX revisions_state;
--bun:split
ALTER TABLE revisions DROP COLUMN updated_at;
--bun:split
ALTER TABLE revisions DROP COLUMN scheduled_by;
--bun:split
ALTER TABLE revisions DROP COLUMN unpublish_at;
--bun:split
ALTER TABLE revisions DROP COLUMN publish_at;
--bun:split
ALTER TABLE revisions DROP COLUMN author_id;
--bun:split
ALTER TABLE revisions DROP COLUMN comment;
--bun:split
ALTER TABLE revisions DROP COLUMN state;
