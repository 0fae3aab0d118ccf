DROP INDEX contact_messages_created;
--bun:split
ALTER TABLE contact_messages DROP COLUMN ack_mailed_at;
--bun:split
ALTER TABLE contact_messages DROP COLUMN staff_mailed_at;
