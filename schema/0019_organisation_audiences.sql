-- Organisations in an alert's audience, their answers, their integration tokens, and the
-- health of their webhook endpoints.
--
-- Holds in clear: which organisations an alert reached (policy steps name them) and at which
-- step and when; an organisation's answers (going / cannot) and when; which organisation an
-- integration token answers for; since when an endpoint's deliveries have been failing and
-- whether coordinators were told. Sealed (DataCipher): the note an organisation adds to an
-- answer (free text, like a member's).

-- An organisation is in an alert's audience once a policy step reaching it has started: it is
-- sent alert.raised then, and the alert's later events after that. One row per organisation
-- and alert, however many steps name it.
CREATE TABLE alert_organisations (
  alert_id         bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  organisation_id  bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  step             integer NOT NULL,
  reached_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (alert_id, organisation_id)
);
CREATE INDEX alert_organisations_organisation_idx ON alert_organisations (organisation_id);

-- Answers from organisations (POST .../alerts/{id}/responses with an organisation's token):
-- one row per answer, the latest counts.
CREATE TABLE organisation_responses (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id         bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  network_id       bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  organisation_id  bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  answer           text NOT NULL CHECK (answer IN ('going', 'cannot')),
  note_enc         bytea,
  received_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organisation_responses_alert_idx ON organisation_responses (alert_id, organisation_id, id);

-- An integration token may answer for one organisation; it goes with the organisation.
ALTER TABLE api_tokens ADD COLUMN organisation_id bigint REFERENCES organisations(id) ON DELETE CASCADE;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_organisation_check
  CHECK (organisation_id IS NULL OR role = 'integration');

-- failing_since: the first failed attempt (engine clock) with no success since; after 5 days
-- the endpoint is disabled. failure_notified: coordinators were told a delivery to it failed
-- for good (once, until it delivers again).
ALTER TABLE webhook_endpoints ADD COLUMN failing_since timestamptz;
ALTER TABLE webhook_endpoints ADD COLUMN failure_notified boolean NOT NULL DEFAULT false;

-- webhook_failed: the SMS coordinators get when a webhook delivery of the alert failed for good.
ALTER TABLE alert_messages DROP CONSTRAINT alert_messages_kind_check;
ALTER TABLE alert_messages ADD CONSTRAINT alert_messages_kind_check
  CHECK (kind IN ('alert', 'update', 'resolve', 'cancel', 'stand_down', 'reminder', 'webhook_failed'));
