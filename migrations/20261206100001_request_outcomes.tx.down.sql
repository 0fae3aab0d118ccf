DROP INDEX request_events_concluded;
--bun:split
DROP INDEX request_outcomes_pending;
--bun:split
DROP TABLE request_outcomes;
