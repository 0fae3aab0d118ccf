DROP TABLE webhook_deliveries;
--bun:split
DROP TABLE webhook_subscriptions;
--bun:split
DROP TABLE webhook_endpoints;
