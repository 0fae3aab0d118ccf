DROP TABLE helpdesk_canned;
--bun:split
DROP INDEX helpdesk_messages_mail;
--bun:split
DROP INDEX helpdesk_messages_ticket;
--bun:split
DROP TABLE helpdesk_messages;
--bun:split
DROP INDEX helpdesk_tickets_requester;
--bun:split
DROP INDEX helpdesk_tickets_assignee;
--bun:split
DROP INDEX helpdesk_tickets_updated;
--bun:split
DROP INDEX helpdesk_tickets_queue;
--bun:split
DROP INDEX helpdesk_tickets_contact;
--bun:split
DROP INDEX helpdesk_tickets_token;
--bun:split
DROP TABLE helpdesk_tickets;
