DROP TABLE funding_bulletins_sent;
--bun:split
DROP TABLE funding_news_sent;
--bun:split
DROP TABLE funding_reminders_sent;
--bun:split
DROP TABLE funding_subscription_items;
--bun:split
DROP TABLE funding_subscriptions;
--bun:split
DROP TABLE funding_deadlines;
--bun:split
DROP TABLE funding_call_topics;
--bun:split
DROP TABLE funding_calls;
