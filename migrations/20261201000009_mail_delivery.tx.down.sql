ALTER TABLE users DROP COLUMN email_bounce;
--bun:split
ALTER TABLE users DROP COLUMN email_bounced_at;
--bun:split
ALTER TABLE users DROP COLUMN lang;
