-- Idempotency keys of raises: POST .../alerts with an `Idempotency-Key` header (the web console
-- sends a fresh one with each confirmation, so a double tap or a retry raises one alert). For
-- 24 hours the same key from the same token gets the first answer again and raises nothing;
-- the same key with a different body is refused (422).
-- Holds in clear: which token sent a key, when, the alert it raised and the answer given then
-- (the alert's id, code, status, recipient count and warnings, which name areas only). The key
-- and the request's body are kept only as hashes keyed with the data key under the network's
-- own subkey, so neither a key a client chose nor the alert's text can be read or guessed.
CREATE TABLE raise_idempotency (
  token_id    bigint NOT NULL REFERENCES api_tokens(id) ON DELETE CASCADE,
  key_hash    bytea NOT NULL,
  body_hash   bytea NOT NULL,
  alert_id    bigint REFERENCES alerts(id) ON DELETE CASCADE,
  status      int NOT NULL DEFAULT 0,
  response    text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (token_id, key_hash)
);
