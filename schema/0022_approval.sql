-- Two people for the biggest alerts: a network's approval rule, and alerts waiting for a second
-- coordinator.
--
-- Holds in clear: whether a network asks for a second coordinator's approval and from what
-- audience size (approval_min_recipients, approval_all_areas); whether an alert is waiting for
-- approval (status 'pending_approval') and whether its raise named its own audience
-- (audience_given: the approval starts it exactly as the raise would have). Nothing sealed is
-- added: a pending alert's location and details are sealed like every alert's.

ALTER TABLE networks ADD COLUMN approval_min_recipients integer
  CHECK (approval_min_recipients IS NULL OR approval_min_recipients BETWEEN 1 AND 10000000);
ALTER TABLE networks ADD COLUMN approval_all_areas boolean NOT NULL DEFAULT false;

ALTER TABLE alerts ADD COLUMN audience_given boolean NOT NULL DEFAULT false;
ALTER TABLE alerts DROP CONSTRAINT alerts_status_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_status_check
  CHECK (status IN ('pending_approval', 'open', 'resolved', 'cancelled'));

-- A pending alert keeps its code: approving it must not find the code taken.
DROP INDEX alerts_open_code_idx;
CREATE UNIQUE INDEX alerts_open_code_idx ON alerts (network_id, code)
  WHERE status IN ('open', 'pending_approval');

-- approval_needed: the SMS the network's coordinators get when an alert waits for approval.
ALTER TABLE alert_messages DROP CONSTRAINT alert_messages_kind_check;
ALTER TABLE alert_messages ADD CONSTRAINT alert_messages_kind_check
  CHECK (kind IN ('alert', 'update', 'resolve', 'cancel', 'stand_down', 'reminder', 'webhook_failed',
                  'approval_needed'));
