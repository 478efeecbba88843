-- Sensitive data of customer organizations, encrypted like users' personal
-- data (see promptsales_decrypt in 0002_users.sql). All NULL for an
-- organization created without them; key_id is set whenever any is.
ALTER TABLE organizations
  ADD COLUMN legal_name_encrypted        bytea,
  ADD COLUMN tax_id_encrypted            bytea,
  ADD COLUMN billing_email_encrypted     bytea,
  ADD COLUMN payment_reference_encrypted bytea,
  ADD COLUMN key_id                      text CHECK (key_id ~ '^[0-9a-f]{16}$'),
  ADD CONSTRAINT organizations_key_id_when_encrypted CHECK (
    key_id IS NOT NULL OR num_nonnulls(legal_name_encrypted, tax_id_encrypted, billing_email_encrypted,
                                       payment_reference_encrypted) = 0);

CREATE INDEX organizations_key_id ON organizations (key_id, id) WHERE key_id IS NOT NULL;
