// Recordings (issue 11; message/call_lines.h): audio read out on calls in a language that has
// no text-to-speech voice.
//
// PUT /v1/networks/{slug}/recordings/{language}/{message}   the network's admin tokens only;
//     the body is the audio file (Content-Type audio/mpeg or audio/wav, at most 2 MiB). Errors
//     name the field: "language" (not a language of the templates, or one a voice speaks:
//     nothing would play it), "message", "Content-Type", "body" (413 over 2 MiB). 200 with
//     {"language", "message", "content_type", "bytes"}; replaces a recording of that name.
// GET /twilio/recordings/{network_id}/{language}/{message}?sig=...   what Twilio's <Play>
//     fetches: no credentials but the URL's signature (SignedRecordingUrl); 403 without a valid
//     one, 404 when nothing is recorded.
#include "dispatch/message/call_lines.h"
#include "dispatch/store/recording_store.h"
#include "server/api/audited_change.h"
#include "server/api/handler_prelude.h"

namespace tocsin {

namespace {

// Room above the 2 MiB bound, so that a body just over it gets the error naming "body".
constexpr std::size_t kRecordingBodyLimit = kMaxRecordingBytes + 1024 * 1024;

Awaitable PutRecordingHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageNetwork);
  const std::string language(ctx.Param("language"));
  const std::string message(ctx.Param("message"));
  if (!app.templates.HasLanguage(language)) {
    throw ApiError(Error::Invalid("language", "no templates in language '" + language.substr(0, 20) + "'"));
  }
  if (!app.engine) throw ApiError(Error::Unavailable("the engine is not running"));
  if (!app.engine->scripts().For(language).fell_back) {
    throw ApiError(Error::Invalid("language", "a text-to-speech voice speaks '" + language +
                                                  "' (its [voice] has tts = true): recordings are for "
                                                  "languages without one"));
  }
  std::string content_type(ctx.req[http::bhttp::field::content_type]);
  if (auto semi = content_type.find(';'); semi != std::string::npos) content_type.resize(semi);
  if (auto s = CheckRecording(message, content_type, ctx.req.body().size()); !s.ok()) throw ApiError(s.error());
  const Recording recording{content_type, ctx.req.body()};
  auto stored = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, scope,
        [&](pqxx::work& tx) -> Status {
          PutRecording(tx, scope.network.id, language, message, recording);
          return Ok{};
        },
        [&](const auto&) { return AuditedAs{"recordings.put", language + "/" + message, "{}"}; });
  });
  if (!stored.ok()) throw ApiError(stored.error());
  co_return JsonResponse(ctx.req, status::ok,
                         json::object{{"language", language},
                                      {"message", message},
                                      {"content_type", content_type},
                                      {"bytes", recording.audio.size()}});
}

Awaitable GetRecordingHandler(App& app, http::RequestContext& ctx) {
  const std::string language(ctx.Param("language"));
  const std::string message(ctx.Param("message"));
  std::int64_t network_id = 0;
  try {
    network_id = std::stoll(std::string(ctx.Param("network")));
  } catch (const std::exception&) {
    throw ApiError(ErrorCode::kForbidden, "invalid recording signature");
  }
  std::string sig;
  const auto target = std::string(ctx.req.target());
  if (auto at = target.find("?sig="); at != std::string::npos) sig = target.substr(at + 5);
  if (sig.empty() || !ConstantTimeEqual(sig, RecordingSignature(app.cipher, network_id, language, message))) {
    throw ApiError(ErrorCode::kForbidden, "invalid recording signature");
  }
  auto recording = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return GetRecording(tx, network_id, language, message);
  });
  if (!recording) throw ApiError(Error::NotFound("no such recording"));
  http::Response res{status::ok, ctx.req.version()};
  res.set(http::bhttp::field::content_type, recording->content_type);
  res.keep_alive(ctx.req.keep_alive());
  res.body() = std::move(recording->audio);
  res.prepare_payload();
  co_return res;
}

}  // namespace

void AddRecordingRoutes(http::Router& router, App& app) {
  router.Add(verb::put, "/v1/networks/{slug}/recordings/{language}/{message}",
             [&app](http::RequestContext& c) { return PutRecordingHandler(app, c); }, kRecordingBodyLimit);
  router.Add(verb::get, "/twilio/recordings/{network}/{language}/{message}",
             [&app](http::RequestContext& c) { return GetRecordingHandler(app, c); }, 0, http::Access::kPublic);
}

}  // namespace tocsin
