-- Keyed lookups (issue 15, "the database alone opens nothing"). No table is added; two columns
-- change what they hold, and `tocsind migrate` rewrites their rows with the data key in this
-- migration's own transaction (dispatch/store/keyed_upgrades.cc: SQL alone has no key):
--   api_tokens.token_hash: was an unkeyed BLAKE2b of the token (anyone who could write the table
--     could mint a token); now a keyed BLAKE2b of that hash under a subkey of the data key.
--     Existing rows are keyed in place (the token itself is not needed), so tokens keep working.
--   members.phone_hash: was one keyed hash for every network (a person in two networks could be
--     linked); now keyed with a subkey of the member's network. Recomputed from the sealed phone.
--   api_tokens.inner_enc (new): the unkeyed hash of the token, sealed (bound to the row): what
--     lets `tocsind rekey` compute token_hash under a new key. Filled here for existing rows.
-- Holds in clear, as before: nothing of a token or a number, only these hashes.
ALTER TABLE api_tokens ADD COLUMN IF NOT EXISTS inner_enc bytea;
COMMENT ON COLUMN api_tokens.token_hash IS 'BLAKE2b keyed with the token subkey of the data key, of BLAKE2b(token)';
COMMENT ON COLUMN members.phone_hash IS 'BLAKE2b of the E.164 number keyed with a subkey of the network';
