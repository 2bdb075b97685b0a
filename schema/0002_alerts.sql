-- Alerts and their deliveries. Location, details and message texts are sealed like phone
-- numbers. A delivery is one message to one member over one channel; every transition is a
-- durable row update, written in batches by the dispatcher.

CREATE TABLE alerts (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  network_id         bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  code               text NOT NULL CHECK (code ~ '^[A-Z0-9]{4}$'),
  kind               text NOT NULL CHECK (kind IN ('raid', 'detention', 'removal', 'other')),
  areas              text[] NOT NULL,
  include_neighbours boolean NOT NULL DEFAULT false,
  roles              text[] NOT NULL,
  location_enc       bytea NOT NULL,
  details_enc        bytea,
  deadline           timestamptz,
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'cancelled')),
  recipients         integer NOT NULL DEFAULT 0,
  created_by         text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  ended_at           timestamptz
);
-- A code names one open alert of a network (members quote it in replies).
CREATE UNIQUE INDEX alerts_open_code_idx ON alerts (network_id, code) WHERE status = 'open';
CREATE INDEX alerts_network_idx ON alerts (network_id, id);

-- The text each language gets for each message of an alert: seq 0 is the alert itself, later
-- seqs are updates and the closing message. Rendered once, shared by every member of a language.
CREATE TABLE alert_messages (
  alert_id  bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  seq       integer NOT NULL,
  kind      text NOT NULL CHECK (kind IN ('alert', 'update', 'resolve', 'cancel')),
  language  text NOT NULL,
  body_enc  bytea NOT NULL,
  segments  integer NOT NULL CHECK (segments >= 1),
  PRIMARY KEY (alert_id, seq, language)
);

CREATE TABLE deliveries (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id         bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  seq              integer NOT NULL,
  network_id       bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  member_id        bigint NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  channel          text NOT NULL DEFAULT 'sms',
  language         text NOT NULL,
  segments         integer NOT NULL,
  state            text NOT NULL DEFAULT 'queued' CHECK (state IN
                     ('queued', 'sending', 'sent', 'delivered', 'failed', 'undelivered', 'cancelled')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  sender           text,
  provider_id      text,
  error_code       text,
  error_message    text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_queue_idx ON deliveries (network_id, next_attempt_at, id) WHERE state = 'queued';
CREATE INDEX deliveries_sending_idx ON deliveries (id) WHERE state = 'sending';
CREATE UNIQUE INDEX deliveries_provider_idx ON deliveries (provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX deliveries_alert_idx ON deliveries (alert_id, seq, id);

-- A delivery only moves forward: queued < sending < sent < final states. Final states never
-- change (a late 'sent' callback cannot undo 'delivered').
CREATE FUNCTION delivery_rank(state text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE state WHEN 'queued' THEN 0 WHEN 'sending' THEN 1 WHEN 'sent' THEN 2 ELSE 3 END
$$;

-- Status callbacks that arrived before the provider's id for their message was recorded (a fast
-- provider can beat our group commit). The delivery writer applies them when it writes the id.
CREATE TABLE early_status (
  provider_id  text NOT NULL,
  state        text NOT NULL,
  error_code   text,
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX early_status_idx ON early_status (provider_id);
