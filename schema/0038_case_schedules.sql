-- A case's removal schedule (issue 13): `removal_directions` raises a `removal` alert whose
-- policy's "schedule" asks the case's contacts to act at times counted back from the deadline
-- (the flight). Each entry is a durable deadline, fired once on the engine clock.
--
-- Holds in clear (no new table; the alert's deadline is alerts.deadline, as last recorded): each
-- schedule entry's deadline (escalation_timers kind 'schedule', step = the entry's index in the policy's
-- schedule as raised); the kind of message an entry sends (case_ask: what the entry asks, in the
-- coordinator's words, with the case's pseudonym and the deadline; sealed like every alert
-- message). Nothing personal in clear.

ALTER TABLE escalation_timers DROP CONSTRAINT escalation_timers_kind_check;
ALTER TABLE escalation_timers ADD CONSTRAINT escalation_timers_kind_check
  CHECK (kind IN ('step', 'reminder', 'backup', 'tree', 'verify', 'schedule'));
CREATE INDEX escalation_timers_alert_kind_idx ON escalation_timers (alert_id, kind) WHERE state = 'pending';

ALTER TABLE alert_messages DROP CONSTRAINT alert_messages_kind_check;
ALTER TABLE alert_messages ADD CONSTRAINT alert_messages_kind_check
  CHECK (kind IN ('alert', 'update', 'resolve', 'cancel', 'stand_down', 'reminder', 'webhook_failed',
                  'approval_needed', 'email_failed', 'verify', 'verify_timeout', 'report_outcome', 'merged_update',
                  'case_consent', 'case_ask'));
