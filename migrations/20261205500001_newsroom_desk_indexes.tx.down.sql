DROP INDEX entries_desk_type;
--bun:split
DROP INDEX entries_desk;
