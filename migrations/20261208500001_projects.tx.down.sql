DROP TABLE project_answers;
--bun:split
DROP TABLE project_topics;
--bun:split
DROP TABLE project_sheets;
