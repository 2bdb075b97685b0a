-- A reply is matched to the member's open alerts: find a member's alert deliveries directly
-- instead of scanning every delivery of the alert.
CREATE INDEX deliveries_member_idx ON deliveries (member_id, alert_id) WHERE seq = 0;
