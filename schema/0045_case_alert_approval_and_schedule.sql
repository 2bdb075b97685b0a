-- Who asked for an alert raised on someone's behalf (issue 13's two-person gap): a case's alert
-- is created by `case:<id>`, so `requested_by` keeps the actor whose case event raised it, as
-- the audit log names actors (`token:<id>` for a coordinator's API call, `sms` for the person
-- themself texting DETAINED). A second coordinator's approval of the held alert refuses that
-- token (and tokens of its label), exactly as it refuses an ordinary alert's raiser
-- (alerts.created_by).
--
-- Holds in clear: that actor label only (an id, never a name or number). NULL for every other
-- alert: created_by is its raiser.

ALTER TABLE alerts ADD COLUMN requested_by text;

-- When each deadline was set (escalation_timers.created_at, the database's clock; rows from
-- before this migration get its time). A case's timeline lists a removal schedule's entry that
-- was already past when the directions were recorded (and so fired at once) where it was set,
-- not at its earlier due time. Holds in clear: a time only.

ALTER TABLE escalation_timers ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
