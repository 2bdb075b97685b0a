-- Voice (issue 11): the hotline and recordings.
--
-- networks.voice_message: what a caller who is not a member hears when they call the network's
-- number (network set --voice-message; '' = the template's hotline_public). Public by intent:
-- it holds no personal data, in clear.
--
-- recordings: per network, audio read out on calls in a language that has no text-to-speech
-- voice (config/templates/<lang>.toml: [voice] tts = false). `message` names what is said
-- (the alert kinds' messages, the key prompt, the confirmations: model/recording.h); `audio` is
-- the file as uploaded (audio/mpeg or audio/wav, at most 2 MiB), held in clear: a network's
-- generic announcement, no personal data. Served to Twilio at a signed URL.
ALTER TABLE networks ADD COLUMN voice_message text NOT NULL DEFAULT '';

CREATE TABLE recordings (
  network_id    bigint NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
  language      text NOT NULL,
  message       text NOT NULL,
  content_type  text NOT NULL CHECK (content_type IN ('audio/mpeg', 'audio/wav')),
  audio         bytea NOT NULL CHECK (octet_length(audio) BETWEEN 1 AND 2097152),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (network_id, language, message)
);
