-- Voice (issue 11): a phone tree started by a policy step whose channel is "voice" calls its
-- nodes (and the backups standing in for them) instead of texting them. The channel is the
-- step's, kept with the run because the run moves on long after the step started it.
ALTER TABLE tree_runs ADD COLUMN channel text NOT NULL DEFAULT 'sms' CHECK (channel IN ('sms', 'voice'));
