DROP TABLE tender_downloads;
--bun:split
DROP TABLE tender_versions;
--bun:split
DROP TABLE tender_documents;
