-- The alerts a case's events raised (issue 13): a `detained` event raises a `detention` alert to
-- the case's contacts; `released`, `removal_cancelled` and `removed` resolve the case's open one.
--
-- Holds in clear: ids only (the case, the alert, the event that raised it, the network) and when
-- the link was made. Nothing personal: the alert's own texts are sealed in alert_messages and
-- deliveries as every alert's are.

CREATE TABLE case_alerts (
  alert_id    bigint PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,
  case_id     bigint NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  network_id  bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  event_id    bigint REFERENCES case_events(id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_alerts_case_idx ON case_alerts (case_id, alert_id);

-- case_consent: the SMS a case's coordinators get when a detention alert reached an mp or legal
-- contact the case has no consent for (names the case's pseudonym and the roles, nothing else).
ALTER TABLE alert_messages DROP CONSTRAINT alert_messages_kind_check;
ALTER TABLE alert_messages ADD CONSTRAINT alert_messages_kind_check
  CHECK (kind IN ('alert', 'update', 'resolve', 'cancel', 'stand_down', 'reminder', 'webhook_failed',
                  'approval_needed', 'email_failed', 'verify', 'verify_timeout', 'report_outcome', 'merged_update',
                  'case_consent'));
