-- Lead capture endpoints: a landing page or form backend POSTs one lead,
-- signed with the capture's secret, to /api/v1/leads/capture/{id}
-- (README "Lead capture"). The lead is attributed to the capture's campaign.

-- One endpoint per configure. `id` is public (it is in the URL): random, so
-- endpoints cannot be enumerated. The secret is needed in clear to verify
-- HMACs, so it is kept encrypted under the data key (promptsales_decrypt(
-- secret_encrypted, KEY, 'lead_captures.secret')), re-wrapped by
-- `keys rotate`, and shown to the operator once, when made.
CREATE TABLE lead_captures (
  id                 text PRIMARY KEY CHECK (id ~ '^cap_[0-9a-f]{24}$'),
  organization_id    bigint NOT NULL,
  campaign_id        bigint NOT NULL,
  secret_encrypted   bytea NOT NULL,
  key_id             text NOT NULL CHECK (key_id ~ '^[0-9a-f]{16}$'),
  enabled            boolean NOT NULL DEFAULT true,
  leads_created      bigint NOT NULL DEFAULT 0,
  leads_existing     bigint NOT NULL DEFAULT 0,
  last_received_at   timestamptz,
  secret_rotated_at  timestamptz NOT NULL DEFAULT now(),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lead_captures_org ON lead_captures (organization_id, created_at DESC);

-- Signatures accepted recently: the primary key refuses a replay, in every
-- pod at once. A signature covers the timestamp, so rows older than twice
-- the timestamp tolerance can never match an acceptable request again and
-- are purged as requests arrive.
CREATE TABLE lead_capture_signatures (
  capture_id  text NOT NULL REFERENCES lead_captures (id) ON DELETE CASCADE,
  signature   bytea NOT NULL CHECK (octet_length(signature) = 32),
  seen_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (capture_id, signature)
);
CREATE INDEX lead_capture_signatures_seen ON lead_capture_signatures (seen_at);
