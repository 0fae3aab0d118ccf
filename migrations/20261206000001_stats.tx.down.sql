DROP TABLE stats_monthly;
--bun:split
DROP TABLE stats_requests;
