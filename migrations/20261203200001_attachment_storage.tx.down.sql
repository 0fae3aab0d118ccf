-- The bytes stay in the store: a rollback of this migration needs them copied back first.
ALTER TABLE attachments DROP COLUMN storage_key;
