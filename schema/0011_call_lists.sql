-- Call lists: in a relay tree, the member Tocsin contacts as a node with children is sent the
-- alert followed by the people they must phone (names and numbers), a text no other member
-- shares. It is kept on the delivery, sealed like every other text; NULL (every other
-- delivery): the delivery carries its language's shared message (alert_messages).
ALTER TABLE deliveries ADD COLUMN body_enc bytea;
