-- Retention (store/retention_store.h): an alert that ended more than its network's
-- retention_days ago is purged. It keeps its kind, areas, code, times, warnings and the counts it
-- ended with (final_counts); its sealed location and details are emptied, and every row that
-- tied a member to it (deliveries, responses, messages, tree runs, escalation rows and timers) is
-- deleted. Holds in clear: purged_at and final_counts ({"delivered": 40, "going": 5, ...}).
ALTER TABLE alerts ADD COLUMN purged_at timestamptz;
ALTER TABLE alerts ADD COLUMN final_counts jsonb;
CREATE INDEX alerts_ended_idx ON alerts (ended_at) WHERE purged_at IS NULL AND status <> 'open';
