-- Reports from the street (issue 12), part 3: partners' systems send reports by signed webhook
-- (an inbound source with maps_to 'report'). Holds nothing new: only the wider check.
ALTER TABLE inbound_sources DROP CONSTRAINT inbound_sources_maps_to_check;
ALTER TABLE inbound_sources ADD CONSTRAINT inbound_sources_maps_to_check CHECK (maps_to IN ('alert', 'report'));
