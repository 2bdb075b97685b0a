// Console sessions (schema/0024_console_sessions.sql): a browser's login, made from an API token
// and acting as it. The session id is shown once, at creation (it goes into the browser's
// cookie); only its keyed hash (DataCipher::TokenHash) is stored, so a database dump or a row
// written without the data key opens nothing. A session stops opening when it expires, when its
// token is revoked, when it is ended (logout), and after `tocsind rekey` (the hash was keyed
// with the old key): the browser logs in again.
//
// Every function runs inside the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "dispatch/store/token_registry.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

struct NewSession {
  std::string id;          // the only time it exists in clear: "tcss_" + 43 characters
  std::string expires_at;  // RFC 3339 UTC
};

struct SessionInfo {
  TokenInfo token;  // what the session acts as
  std::string expires_at;
  std::int64_t row_id = 0;  // console_sessions.id: names the session without its secret
};

// A new session acting as `token` for `ttl_seconds`. Also deletes expired sessions (of anyone).
NewSession CreateSession(pqxx::work& tx, const DataCipher& cipher, const TokenInfo& token,
                         int ttl_seconds);
// The unexpired session whose id hashes to a stored one, with its unrevoked token; nullopt
// otherwise. Records the token's use as AuthenticateToken does (at most once a minute).
std::optional<SessionInfo> AuthenticateSession(pqxx::work& tx, const DataCipher& cipher,
                                               const std::string& id);
// Whether session `id` is open: unexpired, not ended, its token not revoked (a long-lived
// stream checks it now and then).
bool SessionOpen(pqxx::work& tx, const DataCipher& cipher, const std::string& id);
// Ends the session `id`; false when no such session was open.
bool EndSession(pqxx::work& tx, const DataCipher& cipher, const std::string& id);

}  // namespace tocsin
