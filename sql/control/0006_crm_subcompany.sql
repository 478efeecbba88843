-- PromptCrm: the sub-company that holds leads. Its database follows the
-- "crm" schema (sql/crm/); `db migrate` creates and migrates it like every
-- enabled sub-company's.
INSERT INTO subcompanies (code, name, kind, database, branding, endpoints, policies) VALUES
  ('promptcrm', 'PromptCrm', 'crm', '{control}_crm',
   '{"displayName": "PromptCrm", "primaryColor": "#2da44e"}',
   '{"api": "/api/v1/leads"}',
   '{"dataRetentionDays": 730}')
ON CONFLICT (code) DO NOTHING;
