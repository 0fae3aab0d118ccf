DROP INDEX area_posts_topic;
--bun:split
DROP TABLE area_posts;
--bun:split
DROP INDEX area_topics_area;
--bun:split
DROP TABLE area_topics;
--bun:split
DELETE FROM spaces WHERE kind = 'area';
--bun:split
DROP INDEX spaces_area;
--bun:split
ALTER TABLE spaces DROP COLUMN area_id;
--bun:split
DROP INDEX area_members_by_ente;
--bun:split
DROP INDEX area_members_by_user;
--bun:split
DROP INDEX area_members_ente;
--bun:split
DROP INDEX area_members_user;
--bun:split
DROP TABLE area_members;
--bun:split
DROP TABLE areas;
