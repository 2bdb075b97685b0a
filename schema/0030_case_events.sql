-- A case's events (issue 13): detained, removal_directions, released, removal_cancelled,
-- removed, note; what `GET .../cases/{id}/timeline` lists.
--
-- Holds in clear: the event's case, type, the removal deadline (a flight's time, not a person),
-- who recorded it (an actor: "token:<id>", "admin", "sms"), and when.
-- Sealed (DataCipher, bound place: dispatch/util/sealed_places.h, bound to the event's id): its
-- text (detail_enc): where the person is held, the directions' details or a note.

CREATE TABLE case_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id     bigint NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  network_id  bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  type        text NOT NULL CHECK (type IN ('detained', 'removal_directions', 'released', 'removal_cancelled',
                                            'removed', 'note')),
  deadline    timestamptz CHECK (deadline IS NULL OR type = 'removal_directions'),
  detail_enc  bytea,
  actor       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_events_case_idx ON case_events (case_id, id);
