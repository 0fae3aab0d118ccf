DROP TABLE mail_deliveries;
--bun:split
DROP INDEX notifications_event;
--bun:split
ALTER TABLE notifications DROP COLUMN event_key;
