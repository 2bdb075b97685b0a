-- Foundation: networks, areas, members, API tokens, audit log.
-- Phone numbers and names are stored sealed (libsodium secretbox, key outside the database);
-- members are found by phone through a keyed hash. Nothing here holds a number in clear.

CREATE TABLE networks (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  country         text NOT NULL DEFAULT 'GB' CHECK (country ~ '^[A-Z]{2}$'),
  default_language text NOT NULL DEFAULT 'en',
  retention_days  integer NOT NULL DEFAULT 30 CHECK (retention_days BETWEEN 1 AND 3650),
  help_text       text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- A network's sender numbers (public: members text them), each with its own send rate.
CREATE TABLE network_numbers (
  network_id          bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  number              text NOT NULL UNIQUE,   -- E.164; unique across networks so inbound SMS routes
  segments_per_second double precision CHECK (segments_per_second > 0),  -- NULL: server default
  position            integer NOT NULL,
  PRIMARY KEY (network_id, number)
);

CREATE TABLE areas (
  network_id  bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  name        text NOT NULL,
  neighbours  text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (network_id, name)
);

CREATE TABLE members (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  network_id  bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  phone_hash  bytea NOT NULL,          -- keyed BLAKE2b of the E.164 number
  phone_enc   bytea NOT NULL,          -- sealed E.164 number
  name_enc    bytea,                   -- sealed name or pseudonym
  language    text NOT NULL,
  areas       text[] NOT NULL DEFAULT '{}',
  roles       text[] NOT NULL DEFAULT '{responder}',
  channels    text[] NOT NULL DEFAULT '{sms}',
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'opted_out')),
  consent_at  timestamptz NOT NULL DEFAULT now(),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (network_id, phone_hash)
);
CREATE INDEX members_areas_idx ON members USING gin (areas);
CREATE INDEX members_roles_idx ON members USING gin (roles);

CREATE TABLE api_tokens (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  network_id  bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  role        text NOT NULL CHECK (role IN ('admin', 'coordinator', 'viewer', 'integration')),
  label       text NOT NULL DEFAULT '',
  token_hash  bytea NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

-- Who did what. `actor` is 'admin' (server admin token), 'token:<id>' or 'cli'.
CREATE TABLE audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  network_id  bigint REFERENCES networks(id) ON DELETE CASCADE,
  actor       text NOT NULL,
  action      text NOT NULL,
  target      text NOT NULL DEFAULT '',
  detail      jsonb NOT NULL DEFAULT '{}',
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_network_idx ON audit_log (network_id, at);
