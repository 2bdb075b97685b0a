-- Answers to alerts: one row per reply (a member may change their mind: the latest counts).
-- Free text is sealed like every other thing a member says.
CREATE TABLE responses (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id     bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  network_id   bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  member_id    bigint NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  answer       text NOT NULL CHECK (answer IN ('going', 'cannot', 'text')),
  text_enc     bytea,
  provider_id  text,   -- the inbound message's SID: a webhook Twilio repeats is stored once
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX responses_provider_idx ON responses (provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX responses_alert_idx ON responses (alert_id, member_id, id);
