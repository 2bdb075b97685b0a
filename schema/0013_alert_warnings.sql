-- Why an alert, or one of its escalation steps, reached nobody ("nobody was reached: no active
-- member ... is in SE15"), kept with the alert so its readers and its event stream say so after
-- the raise too. Holds in clear: those sentences, which name areas, roles, and phone tree names,
-- never a person.
ALTER TABLE alerts ADD COLUMN warnings text[] NOT NULL DEFAULT '{}';
