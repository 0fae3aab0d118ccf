-- The monthly roll-up gains the experts' activities by expert (measure "expert:<id>"), which the
-- analysis panel's workload reads instead of joining every activity. The roll-ups are emptied so
-- that the next start rebuilds them (stats.Backfill); the figures are the same, with the new
-- measure added. The last change of the figures (the public pages' Last-Modified) is read from an
-- index.
DELETE FROM stats_request_cells;
--bun:split
DELETE FROM stats_monthly;
--bun:split
DELETE FROM stats_requests;
--bun:split
CREATE INDEX stats_requests_updated ON stats_requests (updated_at);
