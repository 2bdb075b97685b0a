-- Tiered disclosure: what a network's alert texts reveal before a member answers going.
--
-- Holds in clear: each network's disclosure setting (disclosure_default: 'full' or 'tiered';
-- disclosure_kinds: per alert kind, e.g. {"raid": "tiered"}), and whether an alert was raised
-- tiered (alerts.tiered, fixed at its raise: its texts are rendered once). Nothing sealed is
-- added: a tiered alert's location and details stay sealed in the alert as before, and reach a
-- member only in the confirmation of their going answer.

ALTER TABLE networks ADD COLUMN disclosure_default text NOT NULL DEFAULT 'full'
  CHECK (disclosure_default IN ('full', 'tiered'));
ALTER TABLE networks ADD COLUMN disclosure_kinds jsonb NOT NULL DEFAULT '{}';

ALTER TABLE alerts ADD COLUMN tiered boolean NOT NULL DEFAULT false;
