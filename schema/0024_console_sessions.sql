-- Console sessions: a browser's login to the web console, made by exchanging an API token once
-- (POST /v1/session) for an opaque random session id that the browser keeps in an HttpOnly
-- cookie. A session acts as its token (same network, same role) until it expires, its token is
-- revoked (the join on api_tokens.revoked_at) or the browser logs out (the row is deleted).
-- Holds in clear: which token a session acts as, when it was made and when it expires. The
-- session id itself is never stored: only its hash keyed with the data key (as for
-- api_tokens.token_hash), so neither a database dump nor write access opens a session.
CREATE TABLE console_sessions (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_hash  bytea NOT NULL UNIQUE,
  token_id      bigint NOT NULL REFERENCES api_tokens(id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL
);
CREATE INDEX console_sessions_expires_idx ON console_sessions (expires_at);
CREATE INDEX console_sessions_token_idx ON console_sessions (token_id);
