-- When each API token was last used, so an operator can list tokens and revoke the ones nobody
-- uses. Authentication moves it forward at most once a minute per token, so most requests write
-- nothing.
-- Holds in clear: a time per token; nothing of the token or of who holds it.
ALTER TABLE api_tokens ADD COLUMN last_used_at timestamptz;

-- The audit listing pages newest first within a network (audit_log_network_idx serves `since`).
CREATE INDEX audit_log_network_id_idx ON audit_log (network_id, id);
