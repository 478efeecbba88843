-- Users of the portal and their permissions, with personal data encrypted
-- at rest (README "Security"). Keys never reach the database: rows carry
-- only the key id (a fingerprint) of the key that encrypted them.

-- pgcrypto lets an operator holding the key read encrypted columns in SQL.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- Verifies and decrypts a value written by promptsales (iv || AES-256-CBC
-- ciphertext || HMAC-SHA256), raising when the MAC does not match: a wrong
-- key, a changed value, or a value copied from another column. `key` is the
-- 32-byte key, e.g. decode('<64 hex>', 'hex'); `context` names the column,
-- e.g. 'users.email'. It is passed in per call and never stored.
CREATE FUNCTION promptsales_decrypt(v bytea, key bytea, context text) RETURNS text
LANGUAGE plpgsql STRICT STABLE AS $$
DECLARE
  n int := octet_length(v);
BEGIN
  IF n < 64 OR (n - 48) % 16 <> 0 THEN
    RAISE EXCEPTION 'promptsales_decrypt: % value is truncated or malformed', context;
  END IF;
  IF hmac(convert_to(context, 'UTF8') || '\x00'::bytea || substring(v for n - 32),
          hmac('promptsales column mac v1'::bytea, key, 'sha256'), 'sha256')
     <> substring(v from n - 31) THEN
    RAISE EXCEPTION 'promptsales_decrypt: % value failed verification (wrong key, or changed)', context;
  END IF;
  RETURN convert_from(decrypt_iv(substring(v from 17 for n - 48), key, substring(v for 16), 'aes-cbc/pad:pkcs'),
                      'UTF8');
END
$$;

-- The key id rows record for `key`: compare with users.key_id to see which
-- key a row needs.
CREATE FUNCTION promptsales_key_id(key bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT encode(substring(hmac('promptsales key id'::bytea, key, 'sha256') for 8), 'hex')
$$;

CREATE TABLE users (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The OIDC `sub` claim of the identity provider.
  subject          text NOT NULL UNIQUE CHECK (length(subject) BETWEEN 1 AND 255),
  -- NULL only for platform operators, who hold platform:admin directly;
  -- a customer organization's user never does.
  organization_id  bigint REFERENCES organizations (id),
  email_encrypted  bytea NOT NULL,
  -- Keyed HMAC of the normalized email, for lookups by email.
  email_index      bytea NOT NULL,
  name_encrypted   bytea NOT NULL,
  roles            text[] NOT NULL DEFAULT '{}',
  permissions      text[] NOT NULL DEFAULT '{}',
  disabled         boolean NOT NULL DEFAULT false,
  key_id           text NOT NULL CHECK (key_id ~ '^[0-9a-f]{16}$'),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_operator_has_no_org CHECK (organization_id IS NOT NULL OR 'platform:admin' = ANY (permissions)),
  CONSTRAINT users_customer_not_platform CHECK (organization_id IS NULL OR NOT ('platform:admin' = ANY (permissions)))
);

CREATE INDEX users_email_index ON users (email_index);
CREATE INDEX users_organization ON users (organization_id);
-- `keys rotate` walks the rows still on an old key.
CREATE INDEX users_key_id ON users (key_id, id);
