-- Reports from the street (issue 12), part 2: the reports and their timelines.
--
-- Holds in clear, per report: its network, code, kind, areas, status, where it came from
-- (source: sms, api, webhook; created_by: "sms", "token:<id>", "inbound:<source name>"), the
-- member who reported it (reporter_member_id, when a member did: an id, never a number), how
-- many people reported it (reporters: merged reports count), the report it was merged into,
-- the alert it raised, and its times. Sealed (DataCipher, bound to the report's id:
-- sealed_places.h): the location and details (as alerts' are), and the reporter's number
-- (reporter_enc: only to tell them the outcome; never shown by the API nor sent to anyone
-- else). reporter_hash is the number's keyed lookup hash for the network (as members.phone_hash),
-- used to rate-limit non-members and to ask back for the area; it cannot be reversed without
-- the data key.
-- report_events is each report's timeline (received, asked, answered, merged, outcome): kinds,
-- times, member ids of verifiers and counts, never a number or free text.
-- Retention: reports and their events go with the network's retention period like alerts.
CREATE TABLE reports (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  network_id          bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  code                text NOT NULL CHECK (code ~ '^R[A-Z0-9]{3}$'),
  kind                text NOT NULL CHECK (kind IN ('raid', 'detention', 'removal', 'other')),
  areas               text[] NOT NULL DEFAULT '{}',
  location_enc        bytea,
  details_enc         bytea,
  source              text NOT NULL CHECK (source IN ('sms', 'api', 'webhook')),
  created_by          text NOT NULL,
  reporter_member_id  bigint REFERENCES members(id) ON DELETE SET NULL,
  reporter_hash       bytea,
  reporter_enc        bytea,
  reporter_language   text,
  reporters           integer NOT NULL DEFAULT 1 CHECK (reporters >= 1),
  status              text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('awaiting_area', 'pending', 'confirmed', 'dismissed', 'merged')),
  merged_into         bigint REFERENCES reports(id) ON DELETE SET NULL,
  alert_id            bigint REFERENCES alerts(id) ON DELETE SET NULL,
  received_at         timestamptz NOT NULL,
  decided_at          timestamptz
);
-- A code names one report of a network still being decided (replies quote it: "1 R7K2").
CREATE UNIQUE INDEX reports_open_code_idx ON reports (network_id, code)
  WHERE status IN ('awaiting_area', 'pending');
CREATE INDEX reports_network_idx ON reports (network_id, id);
-- The rate limit and the ask-back look up a number's recent reports.
CREATE INDEX reports_reporter_idx ON reports (network_id, reporter_hash, received_at)
  WHERE reporter_hash IS NOT NULL;

CREATE TABLE report_events (
  report_id  bigint NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  seq        integer NOT NULL,
  at         timestamptz NOT NULL,
  what       text NOT NULL CHECK (what IN ('received', 'asked', 'confirmed', 'dismissed', 'merged',
                                           'timeout', 'raised', 'reporter_added')),
  member_id  bigint REFERENCES members(id) ON DELETE SET NULL,
  count      integer,
  actor      text,
  PRIMARY KEY (report_id, seq)
);
