DROP TABLE stats_monthly;
--bun:split
DROP TABLE stats_request_cells;
--bun:split
DROP TABLE stats_requests;
