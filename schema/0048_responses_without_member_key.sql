-- Answers are recorded faster (issue 8), part 2: responses no longer has a foreign key to
-- members either (0047 dropped the ones to alerts and networks).
--
-- Why: the key's check ran once per answer row, after the insert, as its own query with a row
-- lock (FOR KEY SHARE) written into the member's row: about 16 us of each answer's ~35 us in
-- the answers benchmark, on the machine PostgreSQL shares with the server.
--
-- What keeps it right without the key: an answer is only recorded for a member the same
-- transaction found (store/sender_lookup); members are never deleted while they have answers
-- (erasure leaves a tombstone row, and retention deletes a tombstone only once no delivery,
-- answer or tree node names it: store/retention_store.cc); the key's ON DELETE CASCADE therefore
-- never ran. The one race the key closed: a reply read before its member's erasure committed and
-- recorded after retention deleted the tombstone, which leaves an answer naming no member (it
-- still counts as the answer it was, and goes with its alert when retention purges the alert).
--
-- Holds in clear: nothing new (no column is added).

ALTER TABLE responses DROP CONSTRAINT IF EXISTS responses_member_id_fkey;
