DROP INDEX helpdesk_files_key;
--bun:split
DROP INDEX helpdesk_files_ticket;
--bun:split
DROP TABLE helpdesk_files;
