-- Voice (issue 11): the hotline's "press 5 to report what you see". The caller's recorded
-- message becomes a report through the same intake as an SMS report (source 'voice').
--
-- reports.recording_sid: the provider's id of the recording (Twilio's RecordingSid, "RE" and 32
-- hex digits), in clear: an opaque id, not personal data by itself. The audio stays at the
-- provider; a coordinator fetches it through Tocsin (GET .../reports/{id}/recording), which asks
-- the provider with the account's credentials. The caller's number is kept as an SMS
-- reporter's is: sealed (reporter_enc) and hashed (reporter_hash), never in clear.
ALTER TABLE reports ADD COLUMN recording_sid text CHECK (recording_sid ~ '^RE[0-9a-fA-F]{32}$');
ALTER TABLE reports DROP CONSTRAINT reports_source_check;
ALTER TABLE reports ADD CONSTRAINT reports_source_check CHECK (source IN ('sms', 'api', 'webhook', 'voice'));

-- report_events 'area_given': a coordinator named the area of a report that waited for one (a
-- caller with no area on file cannot be asked by voice). Keeps 0035's list.
ALTER TABLE report_events DROP CONSTRAINT report_events_what_check;
ALTER TABLE report_events ADD CONSTRAINT report_events_what_check
  CHECK (what IN ('received', 'asked', 'confirmed', 'dismissed', 'merged', 'timeout', 'raised',
                  'reporter_added', 'seen', 'not_seen', 'unconfirmed', 'area_given'));
