-- Numbers that texted STOP to a network and have not texted START since, so that a member's
-- opt-out survives their deletion: a coordinator who deletes a member and adds the number again
-- gets an opted-out member (only the person's own START opts them back in).
--
-- Holds no phone number in clear. Per row: the network, when the number stopped, the number's
-- lookup hash keyed for that network (the same keyed hash members.phone_hash holds, so a dump
-- cannot link one number across networks), and the number sealed (DataCipher, bound to the
-- row's id: places::StoppedPhone) only so that `tocsind rekey` can compute the hash under a new
-- key; nothing else reads it.
-- A row is added when a number texts STOP (member or not) or a member becomes opted_out, and
-- removed when the number texts START. Retention: none on purpose; a row must outlive the member
-- it came from (its whole point). Rows go with their network.
-- Rows for members opted out before this migration are written by its keyed upgrade
-- (dispatch/store/keyed_upgrades.cc: the phone has to be opened to seal it in its new place).
CREATE TABLE stopped_numbers (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  network_id  bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  phone_hash  bytea NOT NULL,
  phone_enc   bytea NOT NULL,
  stopped_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (network_id, phone_hash)
);

-- email_failed: the SMS the network's coordinators get when an email of the alert to an
-- organisation failed for good (a permanent SMTP reply, or every retry used). Names the
-- organisation and the alert's code, never the address.
ALTER TABLE alert_messages DROP CONSTRAINT alert_messages_kind_check;
ALTER TABLE alert_messages ADD CONSTRAINT alert_messages_kind_check
  CHECK (kind IN ('alert', 'update', 'resolve', 'cancel', 'stand_down', 'reminder', 'webhook_failed',
                  'approval_needed', 'email_failed'));
