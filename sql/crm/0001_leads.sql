-- The PromptCrm database: leads with their personal data encrypted at rest,
-- their events (for scoring), and the checkpoints of imports.

-- pgcrypto lets an operator holding the key read encrypted columns in SQL.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- The same function as the control database's (sql/control/0002_users.sql):
-- verifies and decrypts a value written by promptsales
-- (iv || AES-256-CBC ciphertext || HMAC-SHA256), raising on a wrong key, a
-- changed value or a value copied from another column. `context` names the
-- column, e.g. 'leads.email'; `key` is decode('<64 hex>', 'hex').
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

CREATE FUNCTION promptsales_key_id(key bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT encode(substring(hmac('promptsales key id'::bytea, key, 'sha256') for 8), 'hex')
$$;

-- The key of the email blind index, wrapped (encrypted) under the data key.
-- It is generated once, on the first write, and never changes: rotating the
-- data key re-wraps this one row, so leads.email_hash, the deduplication
-- key, stays valid across rotations. In SQL, with the data key K:
--   decode(promptsales_decrypt(wrapped, K, 'crm.index_key'), 'hex')
CREATE TABLE index_keys (
  name        text PRIMARY KEY CHECK (name ~ '^[a-z_.]{1,40}$'),
  wrapped     bytea NOT NULL,
  key_id      text NOT NULL CHECK (key_id ~ '^[0-9a-f]{16}$'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE leads (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id  bigint NOT NULL,
  -- Personal data: NULL only after the person asked to be forgotten.
  email_encrypted  bytea,
  -- Blind index: HMAC-SHA256 of the normalised email under index_keys
  -- 'leads.email'. Deduplication and lookup without decrypting.
  email_hash       bytea NOT NULL CHECK (octet_length(email_hash) = 32),
  name_encrypted   bytea,
  phone_encrypted  bytea,
  key_id           text NOT NULL CHECK (key_id ~ '^[0-9a-f]{16}$'),
  source           text CHECK (length(source) <= 60),
  country          char(2) CHECK (country ~ '^[A-Z]{2}$'),
  city             text CHECK (length(city) <= 120),
  interests        text[] NOT NULL DEFAULT '{}',
  birth_date       date,
  age              smallint CHECK (age BETWEEN 0 AND 130),
  consent_email    boolean NOT NULL DEFAULT false,
  consent_sms      boolean NOT NULL DEFAULT false,
  consent_phone    boolean NOT NULL DEFAULT false,
  consent_at       timestamptz,
  status           text NOT NULL DEFAULT 'new'
                   CHECK (status IN ('new', 'contacted', 'qualified', 'converted', 'lost')),
  score            smallint NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 100),
  campaign_id      bigint,
  forgotten_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT leads_one_per_email UNIQUE (organization_id, email_hash),
  CONSTRAINT leads_email_unless_forgotten CHECK (email_encrypted IS NOT NULL OR forgotten_at IS NOT NULL)
);

-- Segmentation and the list filters.
CREATE INDEX leads_org_country ON leads (organization_id, country);
CREATE INDEX leads_org_status ON leads (organization_id, status);
CREATE INDEX leads_org_score ON leads (organization_id, score);
CREATE INDEX leads_org_campaign ON leads (organization_id, campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX leads_interests ON leads USING gin (interests);
-- No index on key_id: `keys rotate` walks leads in id order (the primary
-- key) and every import would pay for one.

-- What happened to a lead (opened, clicked, replied, ...): input of scoring.
CREATE TABLE lead_events (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  lead_id          bigint NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
  organization_id  bigint NOT NULL,
  kind             text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.]{0,39}$'),
  occurred_at      timestamptz NOT NULL DEFAULT now(),
  metadata         jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX lead_events_lead ON lead_events (lead_id, occurred_at DESC);
CREATE INDEX lead_events_org_kind ON lead_events (organization_id, kind, occurred_at DESC);

-- One row per import (file content + organization + options): the
-- checkpoint. Each batch commits its leads and this row together, so after
-- a crash the rerun skips records up to last_line and its counts continue
-- from here.
CREATE TABLE lead_imports (
  import_key       bytea PRIMARY KEY CHECK (octet_length(import_key) = 32),
  organization_id  bigint NOT NULL,
  on_duplicate     text NOT NULL CHECK (on_duplicate IN ('skip', 'update', 'error')),
  state            text NOT NULL CHECK (state IN ('running', 'done')),
  last_line        bigint NOT NULL DEFAULT 0,
  records          bigint NOT NULL DEFAULT 0,
  created          bigint NOT NULL DEFAULT 0,
  updated          bigint NOT NULL DEFAULT 0,
  skipped          bigint NOT NULL DEFAULT 0,
  failed           bigint NOT NULL DEFAULT 0,
  runs             integer NOT NULL DEFAULT 1,
  started_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);

-- Duplicate-email rejections of an `--on-duplicate error` import, which
-- depend on the database at the time and so cannot be re-derived by a
-- resumed run. No values: the message names the line, not the person.
CREATE TABLE lead_import_errors (
  import_key  bytea NOT NULL REFERENCES lead_imports (import_key) ON DELETE CASCADE,
  line        bigint NOT NULL,
  code        text NOT NULL,
  message     text NOT NULL,
  PRIMARY KEY (import_key, line)
);
