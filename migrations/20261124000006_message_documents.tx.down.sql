ALTER TABLE messages DROP COLUMN document_id;
