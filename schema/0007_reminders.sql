-- Reminders: a member reached by an alert who has not answered within the policy's
-- reminder.after gets one reminder. Deadlines are reminder timers; each delivery is reminded once.
ALTER TABLE deliveries ADD COLUMN reminded boolean NOT NULL DEFAULT false;

ALTER TABLE escalation_timers DROP CONSTRAINT escalation_timers_kind_check;
ALTER TABLE escalation_timers ADD CONSTRAINT escalation_timers_kind_check
  CHECK (kind IN ('step', 'reminder'));

ALTER TABLE alert_messages DROP CONSTRAINT alert_messages_kind_check;
ALTER TABLE alert_messages ADD CONSTRAINT alert_messages_kind_check
  CHECK (kind IN ('alert', 'update', 'resolve', 'cancel', 'stand_down', 'reminder'));
