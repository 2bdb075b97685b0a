-- A partner's signed webhook records a case's event (issue 13: "so does ... a partner's inbound
-- webhook"): an inbound source with maps_to 'case' posts {"case": <id>, "type": "detained",
-- "where": ...} as a coordinator posts to .../cases/{id}/events, recorded by `inbound:<source>`.
--
-- Holds in clear: no new personal data. case_events.inbound_key is a keyed hash
-- (DataCipher::LookupHash, the network's key) of the source's id and the webhook's id, so a
-- partner's repeated delivery (the same webhook-id) records nothing twice; NULL for events not
-- recorded by webhook.
--
-- NOTE for later migrations: a migration redefining inbound_sources_maps_to_check must keep
-- every value listed here ('alert' 0015, 'report' 0034, 'case' 0046).

ALTER TABLE inbound_sources DROP CONSTRAINT inbound_sources_maps_to_check;
ALTER TABLE inbound_sources ADD CONSTRAINT inbound_sources_maps_to_check
  CHECK (maps_to IN ('alert', 'report', 'case'));

ALTER TABLE case_events ADD COLUMN inbound_key bytea;
CREATE UNIQUE INDEX case_events_inbound_key_idx ON case_events (network_id, inbound_key)
  WHERE inbound_key IS NOT NULL;
