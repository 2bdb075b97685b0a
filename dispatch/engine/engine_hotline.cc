// Engine's hotline: a call into a network's number (issue 11). Apart from engine.cc: GCC 12
// crashes compiling larger coroutine files.
#include <spdlog/spdlog.h>

#include "dispatch/engine/engine.h"
#include "dispatch/message/call_lines.h"
#include "dispatch/store/hotline_store.h"
#include "dispatch/store/recording_store.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {

namespace {

// Who is calling, and the network's recordings in the language they will hear.
struct Looked {
  std::optional<HotlineCaller> caller;
  std::set<std::string> recorded;
};

// One alert the caller hears: its token (the last segment of its Url) and what it says.
struct Heard {
  std::string token;
  CallLines lines;
  const HotlineAlert* alert = nullptr;
};

}  // namespace

boost::asio::awaitable<std::string> Engine::Hotline(std::string from, std::string to) {
  auto looked = co_await db_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    Looked out;
    out.caller = LookupHotlineCaller(tx, cipher_, from, to);
    if (out.caller) {
      const auto& who = *out.caller;
      out.recorded = RecordedMessages(tx, who.network_id, who.member_id ? who.language : who.default_language);
    }
    return out;
  });
  if (!looked.caller) co_return TwimlOf("");
  co_return HotlineTwiml(*looked.caller, looked.recorded, from, to);
}

std::string Engine::HotlineTwiml(const HotlineCaller& who, const std::set<std::string>& recorded,
                                 const std::string& from, const std::string& to) {
  const std::string language = who.member_id ? who.language : who.default_language;
  const RecordingUrl url = [&](std::string_view message) {
    return options_.voice.recording_url ? options_.voice.recording_url(who.network_id, language, message) : "";
  };
  if (!who.member_id) {
    spdlog::info("hotline: a caller who is not a member of network {} heard its public message", who.network_id);
    return TwimlOf(HotlineLine(scripts_, language, "hotline_public", who.voice_message, who.network, recorded, url));
  }
  // Each open alert's prompt, from the newest: an answer or silence goes on to the next.
  std::vector<Heard> heard;
  for (const auto& a : who.alerts) {
    auto text = cipher_.Open(a.text_enc, places::MessageBody(who.network_id, a.id, 0, a.language));
    if (!text) continue;
    CallText call{a.language, *text, "", a.kind, "", ""};
    if (!a.english_enc.empty()) {
      call.english = cipher_.Open(a.english_enc, places::MessageBody(who.network_id, a.id, 0, "en")).value_or("");
    }
    if (!a.location_enc.empty()) {
      call.location = cipher_.Open(a.location_enc, places::AlertLocation(who.network_id, a.id)).value_or("");
      if (!a.details_enc.empty()) {
        call.details = cipher_.Open(a.details_enc, places::AlertDetails(who.network_id, a.id)).value_or("");
      }
    }
    heard.push_back({NewToken("v"), LinesForCall(scripts_, call, recorded, url), &a});
  }
  spdlog::info("hotline: member {} of network {} heard {} open alert(s)", *who.member_id, who.network_id, heard.size());
  if (heard.empty()) {
    return TwimlOf(HotlineLine(scripts_, language, "hotline_none", "", who.network, recorded, url));
  }
  std::vector<std::pair<std::string, PreparedCall>> calls;
  for (std::size_t i = 0; i < heard.size(); ++i) {
    const auto& h = heard[i];
    const std::string next = i + 1 < heard.size() ? options_.voice.voice_url + "/" + heard[i + 1].token : "";
    const std::string action = options_.voice.voice_url + "/" + h.token + "/answer";
    calls.emplace_back(h.token, PreparedCall{0, who.network_id, PromptTwimlOf(h.lines, action, next),
                                             TwimlOf(h.lines.going, next), TwimlOf(h.lines.cannot, next),
                                             h.alert->id, *who.member_id, h.alert->code, from, to});
  }
  std::string first = calls.front().second.prompt;
  for (auto& [token, call] : calls) hotline_calls_.Add(token, std::move(call));
  return first;
}

}  // namespace tocsin
