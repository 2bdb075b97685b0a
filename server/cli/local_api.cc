#include "server/cli/local_api.h"

#include <curl/curl.h>

#include <csignal>
#include <iostream>
#include <mutex>

#include "dispatch/store/audit_log.h"
#include "dispatch/store/token_registry.h"
#include "server/api/api_error.h"

namespace tocsin::cli {
namespace {

constexpr long kConnectTimeoutMs = 5000;
// A raise commits every delivery before it answers: a large audience takes a while.
constexpr long kRequestTimeoutMs = 120000;
constexpr std::size_t kMaxReplyBytes = 64 << 20;

volatile std::sig_atomic_t g_interrupted = 0;
struct sigaction g_previous[3];
constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};

void OnSignal(int) { g_interrupted = 1; }

// Step 3 of the contract: a signal aborts the call in flight, so the destructor still runs.
void CatchSignals() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &sa, &g_previous[i]);
}

void RestoreSignals() {
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &g_previous[i], nullptr);
}

std::size_t Append(char* data, std::size_t size, std::size_t n, void* out) {
  auto* s = static_cast<std::string*>(out);
  if (s->size() + size * n > kMaxReplyBytes) return 0;  // fails the transfer
  s->append(data, size * n);
  return size * n;
}

int Progress(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) { return g_interrupted ? 1 : 0; }

std::string Unreachable(const std::string& base) {
  return "cannot reach tocsind at " + base + " (is `tocsind serve` running?)";
}

struct HttpOutcome {
  long status = 0;
  std::string body;
};

Result<HttpOutcome> Perform(const std::string& method, const std::string& base,
                            const std::string& path, const std::string& bearer,
                            const std::string& body) {
  std::unique_ptr<CURL, void (*)(CURL*)> h(curl_easy_init(), curl_easy_cleanup);
  if (!h) return Error::Internal("curl_easy_init failed");
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, curl_slist_free_all);
  auto add_header = [&](const std::string& line) {
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  };
  if (!bearer.empty()) add_header("Authorization: Bearer " + bearer);
  HttpOutcome out;
  auto url = base + path;
  curl_easy_setopt(h.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(h.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h.get(), CURLOPT_NOPROXY, "*");  // loopback: never through a proxy
  curl_easy_setopt(h.get(), CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(h.get(), CURLOPT_TIMEOUT_MS, kRequestTimeoutMs);
  curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(h.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h.get(), CURLOPT_XFERINFOFUNCTION, Progress);
  if (method == "POST") {
    add_header("Content-Type: application/json");
    curl_easy_setopt(h.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(h.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(h.get(), CURLOPT_HTTPHEADER, headers.get());
  auto rc = curl_easy_perform(h.get());
  switch (rc) {
    case CURLE_OK:
      break;
    case CURLE_ABORTED_BY_CALLBACK:
      return Error::Unavailable("interrupted: the request to tocsind was abandoned");
    case CURLE_OPERATION_TIMEDOUT:
      return Error::Unavailable("tocsind at " + base + " did not answer within " +
                                std::to_string(kRequestTimeoutMs / 1000) + " s");
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
      return Error::Unavailable(Unreachable(base));
    default:
      return Error::Unavailable(Unreachable(base) + ": " + curl_easy_strerror(rc));
  }
  curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

// The server's {"error": {"code", "message", "field"}} as an Error.
Error ApiErrorOf(const HttpOutcome& r) {
  boost::json::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  const boost::json::object* e = nullptr;
  if (!ec && v.is_object()) {
    if (auto* inner = v.as_object().if_contains("error"); inner && inner->is_object()) e = &inner->as_object();
  }
  if (!e) return Error::Internal("tocsind answered HTTP " + std::to_string(r.status));
  auto text = [&](const char* key) {
    auto* f = e->if_contains(key);
    return f && f->is_string() ? std::string(f->as_string()) : std::string();
  };
  bool invalid = text("code") == ErrorCodeName(ErrorCode::kInvalid);
  return Error{invalid ? ErrorCode::kInvalid : ErrorCode::kInternal, text("message"), text("field")};
}

}  // namespace

std::string LocalApi::BaseUrl(const ServerConfig& server) {
  auto host = server.listen_host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(server.listen_port);
}

Result<std::unique_ptr<LocalApi>> LocalApi::Open(DbPool& db, const DataCipher& cipher, const Config& config,
                                                 const Network& network) {
  static std::once_flag curl_init;
  std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  auto base = BaseUrl(config.server);
  auto health = Perform("GET", base, "/healthz", "", "");
  if (!health.ok()) return health.error();
  if (health->status != 200) return Error::Unavailable(Unreachable(base) + ": /healthz answered " +
                                                       std::to_string(health->status));
  auto mint = [&](pqxx::connection& c) -> Result<NewTokenResult> {
    pqxx::work tx(c);
    auto t = CreateToken(tx, cipher, network.id, "coordinator", "cli");
    if (!t.ok()) return t;
    RecordAudit(tx, network.id, "cli", "tokens.create", "token:" + std::to_string(t->id));
    tx.commit();
    return t;
  };
  // From before the token exists, so that no signal can leave it unrevoked.
  g_interrupted = 0;
  CatchSignals();
  auto token = db.RunSync(mint);
  if (!token.ok()) {
    RestoreSignals();
    return token.error();
  }
  return std::unique_ptr<LocalApi>(new LocalApi(db, base, network, token->id, token->token));
}

LocalApi::LocalApi(DbPool& db, std::string base, Network network, std::int64_t token_id,
                   std::string token)
    : db_(db), base_(std::move(base)), network_(std::move(network)), token_id_(token_id),
      token_(std::move(token)) {}

LocalApi::~LocalApi() {
  auto revoke = [&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (RevokeToken(tx, network_.id, token_id_).ok()) {
      RecordAudit(tx, network_.id, "cli", "tokens.revoke", "token:" + std::to_string(token_id_));
    }
    tx.commit();
  };
  try {
    db_.RunSync(revoke);
  } catch (const std::exception& e) {
    std::cerr << "tocsind: could not revoke the CLI's token " << token_id_ << " (" << e.what()
              << "): run `tocsind token revoke --network " << network_.slug << " " << token_id_
              << "`\n";
  }
  RestoreSignals();
}

Result<ApiReply> LocalApi::Get(const std::string& path) const { return Call("GET", path, ""); }

Result<ApiReply> LocalApi::Post(const std::string& path, const boost::json::value& body) const {
  return Call("POST", path, boost::json::serialize(body));
}

Result<ApiReply> LocalApi::Call(const std::string& method, const std::string& path,
                                const std::string& body) const {
  auto r = Perform(method, base_, "/v1/networks/" + network_.slug + path, token_, body);
  if (!r.ok()) return r.error();
  if (r->status < 200 || r->status >= 300) return ApiErrorOf(r.value());
  boost::json::error_code ec;
  auto json = boost::json::parse(r->body, ec);
  if (ec) return Error::Internal("tocsind answered with something that is not JSON");
  return ApiReply{std::move(r->body), std::move(json)};
}

}  // namespace tocsin::cli
