-- Inbound STOP and START messages already handled, by the provider's id (Twilio's MessageSid),
-- so that a webhook the provider repeats opts a member out or in only once (answers find their
-- repeats through responses.provider_id).
-- Holds in clear: the provider's message id and when it arrived; nothing of the sender or text.
CREATE TABLE inbound_messages (
  provider_id  text PRIMARY KEY,
  received_at  timestamptz NOT NULL DEFAULT now()
);
