-- Who did what, when, to what, and how it ended: writes, exports, grants,
-- key rotations and failed logins. Kept `audit_retention_days` (default 90)
-- by `promptsales audit purge`.
CREATE TABLE audit_log (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at               timestamptz NOT NULL DEFAULT now(),
  -- "user:<sub>", "cli:<OS user>", "job:<name>", ...
  actor            text NOT NULL CHECK (length(actor) BETWEEN 1 AND 300),
  action           text NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
  target           text,
  -- No foreign key: the log outlives what it describes.
  organization_id  bigint,
  outcome          text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  client_ip        inet,
  details          jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor_at ON audit_log (actor, at);
