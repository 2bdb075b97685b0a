-- Voice (issue 11): a member's answer on the hotline to an alert of their areas that never
-- reached them (another role's, a step not started yet) counts as any answer does: it is recorded
-- with a delivery of their call-in (channel 'voice', seq 0, state 'delivered', sender 'hotline':
-- nothing was sent, the member called).
--
-- deliveries.hotline: true for such a delivery (the member called in and heard the alert; nothing
-- was sent to them), false for every other. A flag only: no personal data (the member, alert and
-- language are the columns every delivery has).
ALTER TABLE deliveries ADD COLUMN hotline boolean NOT NULL DEFAULT false;
