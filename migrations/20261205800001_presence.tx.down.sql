DROP INDEX newsroom_presence_entry;
--bun:split
DROP TABLE newsroom_presence;
