DROP INDEX activities_on_date;
--bun:split
DROP INDEX stats_requests_due;
