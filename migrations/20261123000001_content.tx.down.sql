DROP TABLE contact_messages;
--bun:split
DROP TABLE procedures;
--bun:split
DROP TABLE task_forces;
--bun:split
DROP TABLE attachments;
--bun:split
DROP TABLE revisions;
--bun:split
DROP TABLE entries;
