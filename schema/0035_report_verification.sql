-- Reports from the street (issue 12), part 3: verifiers asked by SMS, their answers, timeouts.
--
-- Holds in clear: whether an alert is waiting for its report's verifiers (status 'verifying':
-- raised by a report whose kind's policy requires verification; nothing has been sent to its
-- audience yet and it is no open alert to lists, counts, CHECK or replies); the kinds of
-- message such an alert sends (verify: what and where to verifiers, never who reported;
-- verify_timeout: the coordinators' notice when nobody answered in time; report_outcome: the
-- reporter told the report was confirmed; merged_update: coordinators of an open alert told a
-- further report came in), each sealed like every alert message; its verification deadlines
-- (escalation_timers kind 'verify': when to ask the neighbouring areas, when the wait ends);
-- and the timeline lines of a report's answers (seen / not_seen: a verifier's 1 or 2, with the
-- verifier's member id), of the coordinators asked on a timeout (timeout) and of a report
-- raised without confirmation (unconfirmed). No number, no free text.

ALTER TABLE alerts DROP CONSTRAINT alerts_status_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_status_check
  CHECK (status IN ('verifying', 'pending_approval', 'open', 'resolved', 'cancelled'));

-- A verifying alert keeps its code (the report's, which verifiers quote: "1 R7K2").
DROP INDEX alerts_open_code_idx;
CREATE UNIQUE INDEX alerts_open_code_idx ON alerts (network_id, code)
  WHERE status IN ('open', 'pending_approval', 'verifying');

ALTER TABLE alert_messages DROP CONSTRAINT alert_messages_kind_check;
ALTER TABLE alert_messages ADD CONSTRAINT alert_messages_kind_check
  CHECK (kind IN ('alert', 'update', 'resolve', 'cancel', 'stand_down', 'reminder', 'webhook_failed',
                  'approval_needed', 'email_failed', 'verify', 'verify_timeout', 'report_outcome', 'merged_update'));

ALTER TABLE escalation_timers DROP CONSTRAINT escalation_timers_kind_check;
ALTER TABLE escalation_timers ADD CONSTRAINT escalation_timers_kind_check
  CHECK (kind IN ('step', 'reminder', 'backup', 'tree', 'verify'));

ALTER TABLE report_events DROP CONSTRAINT report_events_what_check;
ALTER TABLE report_events ADD CONSTRAINT report_events_what_check
  CHECK (what IN ('received', 'asked', 'confirmed', 'dismissed', 'merged', 'timeout', 'raised',
                  'reporter_added', 'seen', 'not_seen', 'unconfirmed'));
