DROP TABLE invitations;
--bun:split
DROP TABLE memberships;
--bun:split
DROP TABLE registrations;
--bun:split
DROP TABLE enti;
