-- A fingerprint of the data key the rows were sealed with (a keyed hash of a constant, which
-- reveals nothing of the key). tocsind refuses to start with a different key, so data is never
-- sealed under two keys or silently unreadable.
CREATE TABLE data_key_check (
  id           integer PRIMARY KEY CHECK (id = 1),
  fingerprint  bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
