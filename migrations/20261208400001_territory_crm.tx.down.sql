DROP TABLE crm_agreements;
--bun:split
DROP TABLE crm_interactions;
--bun:split
DROP TABLE crm_contacts;
--bun:split
DROP TABLE territory_comuni;
