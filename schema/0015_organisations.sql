-- Organisations (legal aid, bail support, an MP's office, another network), the webhook
-- endpoints that reach them (Standard Webhooks), partners' inbound sources, and webhook
-- deliveries.
--
-- Holds in clear: an organisation's name, slug, kinds, areas and language (public bodies, not
-- personal data); an endpoint's event list, state, why it was disabled and its timestamps; an
-- inbound source's name and what it maps to; the webhook-ids partners sent, with the status and
-- JSON answered (an alert's id, code, status and recipient count) and the alert raised.
-- Sealed (DataCipher, key outside the database): endpoint URLs (they may carry a partner's
-- token), every signing secret (endpoints' current and previous, inbound sources'), and a
-- webhook delivery's body (it carries the alert's location and details).

CREATE TABLE organisations (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  network_id  bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  slug        text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kinds       text[],   -- alert kinds it is sent; NULL: every kind
  areas       text[],   -- areas it is sent; NULL: every area
  language    text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (network_id, slug)
);

-- A webhook endpoint of an organisation. After a rotation the previous secret signs too until
-- previous_until (24 hours), so the receiver can switch secrets without losing a message.
CREATE TABLE webhook_endpoints (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id      bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  network_id           bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  url_enc              bytea NOT NULL,
  events               text[] NOT NULL,
  secret_enc           bytea NOT NULL,
  previous_secret_enc  bytea,
  previous_until       timestamptz,
  state                text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
  disabled_reason      text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_network_idx ON webhook_endpoints (network_id) WHERE state = 'active';
CREATE INDEX webhook_endpoints_organisation_idx ON webhook_endpoints (organisation_id, id);

-- A partner system that may raise alerts by signed webhook: POST .../inbound/{name}.
CREATE TABLE inbound_sources (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  network_id  bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  maps_to     text NOT NULL CHECK (maps_to IN ('alert')),
  secret_enc  bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (network_id, name)
);

-- Inbound webhooks that raised something, by webhook-id: a repeat is answered from here and
-- does nothing else. Written in the raise's own transaction.
CREATE TABLE inbound_webhooks (
  source_id    bigint NOT NULL REFERENCES inbound_sources(id) ON DELETE CASCADE,
  webhook_id   text NOT NULL,
  alert_id     bigint REFERENCES alerts(id) ON DELETE SET NULL,
  status       integer NOT NULL,
  response     text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source_id, webhook_id)
);

-- Webhook deliveries share the deliveries table (and its writer) with SMS. A webhook delivery
-- is one event to one endpoint: channel 'webhook', endpoint_id set, member_id and seq NULL (so
-- every member query, which joins members or asks for seq 0, never sees one), the sealed JSON
-- body in body_enc, the event's type, the webhook-id it is sent with every time (message_id),
-- and the last attempt's HTTP status (NULL: no answer) and latency. next_attempt_at is on the
-- engine's clock for webhooks (the retry schedule is minutes to hours: people's time, not a
-- provider's rate).
ALTER TABLE deliveries ALTER COLUMN member_id DROP NOT NULL;
ALTER TABLE deliveries ALTER COLUMN seq DROP NOT NULL;
ALTER TABLE deliveries ADD COLUMN endpoint_id bigint REFERENCES webhook_endpoints(id) ON DELETE CASCADE;
ALTER TABLE deliveries ADD COLUMN event_type text;
ALTER TABLE deliveries ADD COLUMN message_id text;
ALTER TABLE deliveries ADD COLUMN http_status integer;
ALTER TABLE deliveries ADD COLUMN latency_ms integer;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_recipient_check CHECK (
  CASE WHEN channel = 'webhook'
    THEN endpoint_id IS NOT NULL AND member_id IS NULL AND seq IS NULL AND event_type IS NOT NULL
         AND message_id IS NOT NULL AND body_enc IS NOT NULL
    ELSE endpoint_id IS NULL AND member_id IS NOT NULL AND seq IS NOT NULL END);
CREATE INDEX deliveries_webhook_queue_idx ON deliveries (next_attempt_at, id)
  WHERE state = 'queued' AND endpoint_id IS NOT NULL;
CREATE INDEX deliveries_endpoint_idx ON deliveries (endpoint_id, id) WHERE endpoint_id IS NOT NULL;
