-- Cases (issue 13): a person the network supports, and the people and bodies to contact when
-- they are detained or served removal directions.
--
-- Holds in clear: a case's pseudonym (what viewers and supporters see, chosen by the
-- coordinator), language, areas, whether it is public, the dates consent was given to an MP and
-- a legal representative (dates, not the documents), its status and timestamps; for each
-- contact, its role and which organisation, member or phone tree it is (ids).
-- Sealed (DataCipher, bound place: dispatch/util/sealed_places.h, each bound to the case's id):
-- the person's name (cases.name_enc), own phone (phone_enc), Home Office reference
-- (reference_enc) and notes (notes_enc). phone_hash is the keyed lookup hash of the phone (to
-- know a text from the person themself), never the phone.

CREATE TABLE cases (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  network_id    bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  pseudonym     text NOT NULL CHECK (length(pseudonym) BETWEEN 1 AND 100),
  name_enc      bytea NOT NULL,
  phone_enc     bytea,
  phone_hash    bytea,
  reference_enc bytea,
  notes_enc     bytea,
  language      text NOT NULL,
  areas         text[] NOT NULL DEFAULT '{}',
  public        boolean NOT NULL DEFAULT false,
  consent_mp    date,
  consent_legal date,
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cases_network_idx ON cases (network_id, status, id);
CREATE INDEX cases_phone_idx ON cases (network_id, phone_hash) WHERE phone_hash IS NOT NULL;

-- One contact of a case: exactly one of an organisation, a member or a phone tree (a
-- campaign's supporters). A member, organisation or tree deleted takes its contact rows with it.
CREATE TABLE case_contacts (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id          bigint NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  network_id       bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  role             text NOT NULL CHECK (role IN ('legal', 'mp', 'bail', 'family', 'campaign')),
  organisation_id  bigint REFERENCES organisations(id) ON DELETE CASCADE,
  member_id        bigint REFERENCES members(id) ON DELETE CASCADE,
  tree_id          bigint REFERENCES trees(id) ON DELETE CASCADE,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (num_nonnulls(organisation_id, member_id, tree_id) = 1),
  CHECK (tree_id IS NULL OR role = 'campaign')
);
CREATE INDEX case_contacts_case_idx ON case_contacts (case_id, id);
