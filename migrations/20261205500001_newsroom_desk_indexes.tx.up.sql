CREATE INDEX entries_desk ON entries (updated_at DESC, id);
--bun:split
CREATE INDEX entries_desk_type ON entries (type, updated_at DESC, id);
