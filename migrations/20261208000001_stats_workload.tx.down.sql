DROP INDEX stats_requests_updated;
