-- The analysis panel (app/analysis): overdue integrations by due date, and the experts' activities
-- by day, without a scan.
CREATE INDEX stats_requests_due ON stats_requests (integration_due);
--bun:split
CREATE INDEX activities_on_date ON activities (on_date);
