DROP INDEX documents_integration;
ALTER TABLE documents DROP COLUMN integration_id;
