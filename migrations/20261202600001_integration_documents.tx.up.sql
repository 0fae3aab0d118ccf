ALTER TABLE documents ADD COLUMN integration_id BIGINT REFERENCES integrations (id) ON DELETE SET NULL;
CREATE INDEX documents_integration ON documents (integration_id);
