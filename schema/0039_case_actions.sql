-- DONE counts (issue 13): a supporter asked to act texts DONE (or DONE <code>) once they have,
-- and the case counts the action per ask and per day.
--
-- Holds in clear: for each message of a case's alert that asks something (the alert itself,
-- each schedule entry's ask), the action it counts as, as the coordinator's schedule names it
-- ("letters", "calls"; case_asks); for each DONE, the case, the alert and message answered,
-- the member who sent it (an id: their number and text are not stored here), the action and
-- the day (UTC, engine clock) it counts for (case_actions). A member counts once per ask. The
-- member's id is cleared when they are deleted (the count stays); nothing sealed is needed.

CREATE TABLE case_asks (
  alert_id  bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  seq       integer NOT NULL,
  action    text NOT NULL CHECK (action ~ '^[a-z0-9_]{1,30}$'),
  PRIMARY KEY (alert_id, seq)
);

CREATE TABLE case_actions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  network_id  bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  case_id     bigint NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  alert_id    bigint REFERENCES alerts(id) ON DELETE SET NULL,
  seq         integer NOT NULL,
  member_id   bigint REFERENCES members(id) ON DELETE SET NULL,
  action      text NOT NULL CHECK (action ~ '^[a-z0-9_]{1,30}$'),
  day         date NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX case_actions_once_idx ON case_actions (alert_id, seq, member_id);
CREATE INDEX case_actions_case_idx ON case_actions (case_id, day);
