-- Organisations' email contact points (their caseworkers' addresses) and the email deliveries
-- that reach them.
--
-- Holds in clear: which organisation an email contact point belongs to, and when it was added;
-- for each email delivery, its alert, contact point, event type (alert.raised), state,
-- attempts, error code and timestamps.
-- Sealed (DataCipher, bound place: dispatch/util/sealed_places.h): the address
-- (organisation_emails.address_enc, bound to the contact point's id) and the rendered email
-- (deliveries.body_enc: subject and body, bound to the delivery's message_id "eml_...").
-- No lookup hash: the same address may be added twice (nothing needs to find it by value).

CREATE TABLE organisation_emails (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id  bigint NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  network_id       bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  address_enc      bytea NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organisation_emails_organisation_idx ON organisation_emails (organisation_id, id);

-- An email delivery is one alert email to one contact point: channel 'email', email_id set,
-- member_id, seq and endpoint_id NULL, the sealed rendered email in body_enc, the event type and
-- a message_id ("eml_...", the place its body is bound to). next_attempt_at is on the engine's
-- clock, as for webhooks (the same retry schedule, webhooks.retry_schedule).
ALTER TABLE deliveries ADD COLUMN email_id bigint REFERENCES organisation_emails(id) ON DELETE CASCADE;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_recipient_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_recipient_check CHECK (
  CASE WHEN channel = 'webhook'
    THEN endpoint_id IS NOT NULL AND member_id IS NULL AND seq IS NULL AND event_type IS NOT NULL
         AND message_id IS NOT NULL AND body_enc IS NOT NULL AND email_id IS NULL
  WHEN channel = 'email'
    THEN email_id IS NOT NULL AND endpoint_id IS NULL AND member_id IS NULL AND seq IS NULL
         AND event_type IS NOT NULL AND message_id IS NOT NULL AND body_enc IS NOT NULL
  ELSE endpoint_id IS NULL AND email_id IS NULL AND member_id IS NOT NULL AND seq IS NOT NULL END);
CREATE INDEX deliveries_email_queue_idx ON deliveries (next_attempt_at, id)
  WHERE state = 'queued' AND email_id IS NOT NULL;
CREATE INDEX deliveries_email_idx ON deliveries (email_id, id) WHERE email_id IS NOT NULL;
