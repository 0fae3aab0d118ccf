DROP TABLE area_event_materials;
--bun:split
DROP TABLE area_event_registrations;
--bun:split
DROP INDEX area_events_area;
--bun:split
DROP TABLE area_events;
