DROP INDEX registrations_applicant_pending;
--bun:split
ALTER TABLE registrations DROP COLUMN signer_certs;
--bun:split
ALTER TABLE registrations DROP COLUMN signed_at;
--bun:split
ALTER TABLE registrations DROP COLUMN signer_issuer;
--bun:split
ALTER TABLE registrations DROP COLUMN signer_fiscal_code;
--bun:split
ALTER TABLE registrations DROP COLUMN signer_name;
--bun:split
ALTER TABLE registrations DROP COLUMN signature_format;
