-- Content attachments move from database blobs to the storage port: storage_key names the stored
-- object ("content/<sha256>"). The bytes of existing rows are moved by passhub itself right after
-- the migrations (content.Service.MoveAttachmentBlobs), which then empties data; data stays as an
-- empty column for rows written since.
ALTER TABLE attachments ADD COLUMN storage_key VARCHAR(200) NOT NULL DEFAULT '';
