-- Audience membership, materialised by the segmentation job next to the
-- leads it lists (audiences themselves are defined in the PromptAds
-- database). A read model: rebuilt on every run, so no foreign keys slow
-- the bulk insert, and a lead's memberships are found by lead_id.
CREATE TABLE audience_members (
  audience_id  bigint NOT NULL,
  lead_id      bigint NOT NULL,
  PRIMARY KEY (audience_id, lead_id)
);
CREATE INDEX audience_members_lead ON audience_members (lead_id);
