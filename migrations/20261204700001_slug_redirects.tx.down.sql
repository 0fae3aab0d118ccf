DROP INDEX content_redirects_to;
--bun:split
DROP TABLE content_redirects;
--bun:split
ALTER TABLE revisions DROP COLUMN slug;
