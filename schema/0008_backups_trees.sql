-- Backups and phone trees.
--
-- A member may name a backup (another member of the network): when they stay silent on an alert
-- past the policy's backup.after (or their delivery fails), the backup is sent the alert. Each
-- delivery calls its backup once (deliveries.backed_up).
ALTER TABLE members ADD COLUMN backup_id bigint REFERENCES members(id) ON DELETE SET NULL;
ALTER TABLE deliveries ADD COLUMN backed_up boolean NOT NULL DEFAULT false;

-- A phone tree: nodes (a member each), their parent and an optional backup per node.
CREATE TABLE trees (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  network_id  bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  name        text NOT NULL,
  mode        text NOT NULL CHECK (mode IN ('automated', 'relay')),
  wait_ms     integer NOT NULL CHECK (wait_ms > 0),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (network_id, name)
);
CREATE TABLE tree_nodes (
  tree_id    bigint NOT NULL REFERENCES trees(id) ON DELETE CASCADE,
  member_id  bigint NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  parent_id  bigint,   -- the parent node's member; NULL (or a deleted member) for a root
  backup_id  bigint REFERENCES members(id) ON DELETE SET NULL,
  position   integer NOT NULL,   -- breadth-first order from the roots
  PRIMARY KEY (tree_id, member_id)
);

-- A tree as an alert runs it: the nodes are copied when the step starts (a later edit of the
-- tree does not change a running alert), each with its state and the deadline it waits for.
CREATE TABLE tree_runs (
  alert_id    bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  tree_id     bigint NOT NULL,
  name        text NOT NULL,
  mode        text NOT NULL,
  wait_ms     integer NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (alert_id, tree_id)
);
CREATE TABLE tree_run_nodes (
  alert_id    bigint NOT NULL,
  tree_id     bigint NOT NULL,
  member_id   bigint NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  parent_id   bigint,
  backup_id   bigint,
  position    integer NOT NULL,
  state       text NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'waiting', 'contacted', 'backup', 'reached', 'dead')),
  via         text CHECK (via IN ('member', 'relay', 'backup')),
  due_at      timestamptz,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (alert_id, tree_id, member_id),
  FOREIGN KEY (alert_id, tree_id) REFERENCES tree_runs (alert_id, tree_id) ON DELETE CASCADE
);
-- A relay confirmation comes from a member Tocsin has not messaged: replies find their alert here.
CREATE INDEX tree_run_nodes_member_idx ON tree_run_nodes (member_id, alert_id);

ALTER TABLE escalation_timers DROP CONSTRAINT escalation_timers_kind_check;
ALTER TABLE escalation_timers ADD CONSTRAINT escalation_timers_kind_check
  CHECK (kind IN ('step', 'reminder', 'backup', 'tree'));
