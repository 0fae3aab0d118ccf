DROP TABLE integrations;
--bun:split
DROP TABLE activities;
--bun:split
DROP TABLE document_versions;
--bun:split
DROP TABLE documents;
--bun:split
DROP TABLE messages;
--bun:split
DROP TABLE request_events;
--bun:split
DROP TABLE request_experts;
--bun:split
DROP TABLE requests;
