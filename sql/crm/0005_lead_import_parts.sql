-- Parallel import writers (issue 4). Each batch's leads are split by email
-- hash into `parts` disjoint parts, written at once on that many
-- connections; each part commits its leads with its own checkpoint row here.
-- A crash can leave one batch committed for some parts only: the rerun
-- resumes every part after its own last_line, so nothing is lost or doubled.
-- Batches stay sequential (the next starts when every part of this one has
-- committed), so skip, update and error keep their file-order meaning.

-- Fixed when the import starts: a resumed run splits as the first one did.
ALTER TABLE lead_imports ADD COLUMN parts smallint NOT NULL DEFAULT 1 CHECK (parts BETWEEN 1 AND 8);

CREATE TABLE lead_import_parts (
  import_key  bytea NOT NULL REFERENCES lead_imports (import_key) ON DELETE CASCADE,
  part        smallint NOT NULL CHECK (part BETWEEN 0 AND 7),
  -- Every record of this part up to this line is committed.
  last_line   bigint NOT NULL,
  -- This part's counts so far. Part 0 also counts the records and the
  -- rows the reader rejected.
  records     bigint NOT NULL DEFAULT 0,
  created     bigint NOT NULL DEFAULT 0,
  updated     bigint NOT NULL DEFAULT 0,
  skipped     bigint NOT NULL DEFAULT 0,
  failed      bigint NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (import_key, part)
);

-- An import interrupted before this migration resumes as part 0 of one.
INSERT INTO lead_import_parts (import_key, part, last_line, records, created, updated, skipped, failed)
SELECT import_key, 0, last_line, records, created, updated, skipped, failed FROM lead_imports;

-- The checkpoint is in the parts now. lead_imports keeps the import's
-- identity and state, and its counts are the totals once it is done.
ALTER TABLE lead_imports DROP COLUMN last_line;
COMMENT ON COLUMN lead_imports.records IS 'final counts, set when state = done (while running: sum lead_import_parts)';
