-- A token role for a metrics scraper (Prometheus): it reads GET /metrics and nothing else.
-- Holds nothing new in clear.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check
  CHECK (role IN ('admin', 'coordinator', 'viewer', 'integration', 'metrics'));
