-- Voice (issue 11): the call ladder. A policy step with "call_after" texts its audience, and
-- each recipient who has not answered `call_after` after being reached is called once.
--
-- deliveries.call_after_ms: on an alert message texted by such a step, its `call_after` (the
-- recipient's own delay); NULL otherwise. deliveries.called: that recipient was called (once).
-- The call itself is a delivery of its own on channel 'voice' carrying the alert message stored
-- again as message kind 'call' (sealed as every alert message is). Its deadlines are
-- escalation_timers of kind 'call'. (Both kind lists keep those of 0038, the case schedule.)
--
-- Message kind 'call_text': the alert message again, texted to a member who was called in a
-- language no voice speaks (they heard English, or the network's recordings). No new personal
-- data: both kinds are sealed as every alert message is.
ALTER TABLE deliveries ADD COLUMN call_after_ms integer CHECK (call_after_ms > 0);
ALTER TABLE deliveries ADD COLUMN called boolean NOT NULL DEFAULT false;

ALTER TABLE alert_messages DROP CONSTRAINT alert_messages_kind_check;
ALTER TABLE alert_messages ADD CONSTRAINT alert_messages_kind_check
  CHECK (kind IN ('alert', 'update', 'resolve', 'cancel', 'stand_down', 'reminder', 'webhook_failed',
                  'approval_needed', 'email_failed', 'verify', 'verify_timeout', 'report_outcome', 'merged_update',
                  'case_consent', 'case_ask', 'call', 'call_text'));

ALTER TABLE escalation_timers DROP CONSTRAINT escalation_timers_kind_check;
ALTER TABLE escalation_timers ADD CONSTRAINT escalation_timers_kind_check
  CHECK (kind IN ('step', 'reminder', 'backup', 'tree', 'verify', 'schedule', 'call'));
