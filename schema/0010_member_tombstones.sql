-- Deleting a member leaves an anonymous tombstone, so the alerts they were part of keep their
-- counts, deliveries and answers (defect: deleting a member who answered rewrote past alerts).
-- A tombstone holds in clear only its id, network, status 'deleted', deleted_at and timestamps:
-- its phone hash is random (unlinkable to the number), its sealed phone empty, its name, areas,
-- roles, channels and backup cleared, its language reset to the network's; the sealed text of
-- its free-text replies is erased. It is never listed, found by phone, or contacted again.
ALTER TABLE members DROP CONSTRAINT members_status_check;
ALTER TABLE members ADD CONSTRAINT members_status_check
  CHECK (status IN ('active', 'paused', 'opted_out', 'deleted'));
ALTER TABLE members ADD COLUMN deleted_at timestamptz;
