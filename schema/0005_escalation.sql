-- Escalation: a policy per network and alert kind (absent: the built-in default), the state of
-- each alert's escalation, and its deadlines. Timers are data: the engine keeps pending ones in
-- memory and rebuilds them from here after a restart; firing one marks it in the same
-- transaction as what it does, so nothing fires twice.

CREATE TABLE policies (
  network_id  bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('raid', 'detention', 'removal', 'other')),
  policy      jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (network_id, kind)
);

CREATE TABLE escalations (
  alert_id         bigint PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,
  policy           jsonb NOT NULL,   -- the policy as it was when the alert was raised
  step             integer NOT NULL DEFAULT 0,
  state            text NOT NULL DEFAULT 'running'
                     CHECK (state IN ('running', 'goal_met', 'exhausted', 'stopped')),
  step_started_at  timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE escalation_timers (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id  bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  kind      text NOT NULL CHECK (kind IN ('step')),
  step      integer NOT NULL,     -- the step whose wait this ends
  due_at    timestamptz NOT NULL,
  state     text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'fired', 'cancelled'))
);
CREATE INDEX escalation_timers_pending_idx ON escalation_timers (due_at) WHERE state = 'pending';

ALTER TABLE alert_messages DROP CONSTRAINT alert_messages_kind_check;
ALTER TABLE alert_messages ADD CONSTRAINT alert_messages_kind_check
  CHECK (kind IN ('alert', 'update', 'resolve', 'cancel', 'stand_down'));
