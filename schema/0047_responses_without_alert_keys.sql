-- Answers are recorded faster (issue 8): responses keeps its foreign key to members (an erased
-- member's answers go with them) but no longer has foreign keys to alerts and networks.
--
-- Why: every answer row checked both keys, each with a row lock on the alert's and the
-- network's one row, which every concurrent batch of answers to that alert shares; on the 2-core
-- benchmark machine that made an answer's insert about 1.5 times as costly as with the member
-- key alone (PostgreSQL's share of the answers benchmark is the largest).
--
-- What keeps them right without the keys: an answer is only recorded for an alert the same
-- transaction found open (store/sender_lookup), alerts are never deleted (retention keeps a
-- shell and deletes an alert's responses itself: store/retention_store.cc), and networks are
-- never deleted. Anything that comes to delete either must delete their responses first.
--
-- Holds in clear: nothing new (no column is added).

ALTER TABLE responses DROP CONSTRAINT IF EXISTS responses_alert_id_fkey;
ALTER TABLE responses DROP CONSTRAINT IF EXISTS responses_network_id_fkey;
