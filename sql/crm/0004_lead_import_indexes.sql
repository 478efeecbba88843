-- Lead import throughput (issue 4): every index on leads is paid by every
-- imported row. These four served no query that needs them (EXPLAIN on
-- 1,000,000 leads, BENCHMARKS.md "Lead import"): segmentation reads an
-- organization's leads once per audience (a scan is what the planner picks
-- at these selectivities), and the list filters narrow an organization that
-- UNIQUE (organization_id, email_hash) or leads_org_id below already finds.
DROP INDEX IF EXISTS leads_org_country;
DROP INDEX IF EXISTS leads_org_status;
DROP INDEX IF EXISTS leads_org_score;
DROP INDEX IF EXISTS leads_interests;

-- The lead list pages an organization by id (newest first by default, and
-- the API's cursor is id): without this, a small organization's first page
-- walks the primary key backwards through every other organization's newer
-- leads (1.2 s at 1M leads). Ids grow, so imports append to its right edge.
CREATE INDEX leads_org_id ON leads (organization_id, id);
