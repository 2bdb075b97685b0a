-- Reports from the street (issue 12), part 4: a reporter who is not a member is told the outcome
-- of their report by SMS, through the same deliveries, dispatcher and SMS channel as members.
--
-- Holds in clear: report_id, the report whose reporter a delivery goes to (an id only). Such a
-- delivery has no member_id; its number is never copied: the dispatcher opens the report's own
-- sealed reporter_enc (schema/0028) when it claims the delivery, and nothing else reads it. Like
-- every delivery, its text is the alert message's (sealed in alert_messages), in the report's
-- language. Member listings of deliveries join members, so such a delivery is shown to nobody.
ALTER TABLE deliveries ADD COLUMN report_id bigint REFERENCES reports(id) ON DELETE CASCADE;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_recipient_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_recipient_check CHECK (
  CASE WHEN channel = 'webhook'
    THEN endpoint_id IS NOT NULL AND member_id IS NULL AND seq IS NULL AND event_type IS NOT NULL
         AND message_id IS NOT NULL AND body_enc IS NOT NULL AND email_id IS NULL AND report_id IS NULL
  WHEN channel = 'email'
    THEN email_id IS NOT NULL AND endpoint_id IS NULL AND member_id IS NULL AND seq IS NULL
         AND event_type IS NOT NULL AND message_id IS NOT NULL AND body_enc IS NOT NULL AND report_id IS NULL
  ELSE endpoint_id IS NULL AND email_id IS NULL AND seq IS NOT NULL
       AND (member_id IS NOT NULL) <> (report_id IS NOT NULL) END);
