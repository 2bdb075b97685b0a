-- Reports from the street (issue 12), part 1: a network's report settings.
--
-- Holds in clear: who may report by SMS (reports_from), whether CHECK answers non-members
-- (reports_public_check), how many reports one non-member number may make in an hour
-- (reports_max_per_hour) and how close in time two reports must be to merge
-- (reports_merge_window_ms). Nothing personal; nothing sealed.
ALTER TABLE networks ADD COLUMN reports_from text NOT NULL DEFAULT 'reporters'
  CHECK (reports_from IN ('reporters', 'members', 'anyone'));
ALTER TABLE networks ADD COLUMN reports_public_check boolean NOT NULL DEFAULT false;
ALTER TABLE networks ADD COLUMN reports_max_per_hour integer NOT NULL DEFAULT 3
  CHECK (reports_max_per_hour BETWEEN 1 AND 1000);
ALTER TABLE networks ADD COLUMN reports_merge_window_ms bigint NOT NULL DEFAULT 1800000
  CHECK (reports_merge_window_ms BETWEEN 1000 AND 172800000);
