ALTER TABLE notifications DROP COLUMN emailed_at;
--bun:split
DROP TABLE notification_prefs;
