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
