// Engine's hotline: a call into a network's number (issue 11). Apart from engine.cc: GCC 12
// crashes compiling larger coroutine files.
#include <spdlog/spdlog.h>

#include "dispatch/engine/engine.h"
#include "dispatch/engine/report_intake.h"
#include "dispatch/message/call_lines.h"
#include "dispatch/store/hotline_store.h"
#include "dispatch/store/recording_store.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {

namespace {

// Who is calling, the network's recordings in the language they will hear, and whether they may
// report (press 5).
struct Looked {
  std::optional<HotlineCaller> caller;
  std::set<std::string> recorded;
  bool may_report = false;
};

// One alert the caller hears: its token (the last segment of its Url) and what it says.
struct Heard {
  std::string token;
  CallLines lines;
  const HotlineAlert* alert = nullptr;
};

}  // namespace

boost::asio::awaitable<std::string> Engine::Hotline(std::string from, std::string to) {
  const std::int64_t now_ms = clock_->NowMs();
  auto looked = co_await db_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    Looked out;
    out.caller = LookupHotlineCaller(tx, cipher_, from, to);
    if (out.caller) {
      const auto& who = *out.caller;
      out.recorded = RecordedMessages(tx, who.network_id, who.member_id ? who.language : who.default_language);
      const auto reporter = VoiceReporterOf(tx, cipher_, from, to, now_ms);  // may press 5
      out.may_report = reporter && !reporter->limited;
    }
    return out;
  });
  if (!looked.caller) co_return TwimlOf("");
  co_return HotlineTwiml(*looked.caller, looked.recorded, looked.may_report, from, to);
}

std::string Engine::HotlineTwiml(const HotlineCaller& who, const std::set<std::string>& recorded, bool may_report,
                                 const std::string& from, const std::string& to) {
  const std::string language = who.member_id ? who.language : who.default_language;
  const VoiceScript& script = *scripts_.For(language).script;
  const RecordingUrl url = [&](std::string_view message) {
    return options_.voice.recording_url ? options_.voice.recording_url(who.network_id, language, message) : "";
  };
  // The call's first token: its report's <Record> posts there (any token of the call would do).
  const std::string first_token = NewToken("v");
  const auto base = [&](std::string token, std::string prompt) {
    PreparedCall call;
    call.network_id = who.network_id;
    call.prompt = std::move(prompt);
    call.member_id = who.member_id.value_or(0);
    call.member_phone = from;
    call.network_number = to;
    if (may_report) {
      call.record = RecordTwimlOf(SayXml(script, script.report_record),
                                  options_.voice.voice_url + "/" + first_token + "/report", SayXml(script, script.goodbye));
      call.reported = TwimlOf(SayXml(script, script.report_thanks));
    }
    return std::pair{std::move(token), std::move(call)};
  };
  const std::string offer = may_report ? SayXml(script, script.hotline_report) : "";
  // Nothing to read: the message, and the offer to report when they may.
  const auto only = [&](std::string_view message, std::string_view text) {
    const std::string line = HotlineLine(scripts_, language, message, text, who.network, recorded, url);
    if (!may_report) return TwimlOf(line);
    const CallLines lines{line, offer, SayXml(script, script.goodbye), "", "", ""};
    auto [token, call] = base(first_token, PromptTwimlOf(lines, options_.voice.voice_url + "/" + first_token + "/answer"));
    std::string twiml = call.prompt;
    hotline_calls_.Add(token, std::move(call));
    return twiml;
  };
  if (!who.member_id) {
    spdlog::info("hotline: a caller who is not a member of network {} heard its public message{}", who.network_id,
                 may_report ? " (may report)" : "");
    return only("hotline_public", who.voice_message);
  }
  // Each open alert's prompt, from the newest: an answer or silence goes on to the next.
  std::vector<Heard> heard;
  for (const auto& a : who.alerts) {
    auto text = cipher_.Open(a.text_enc, places::MessageBody(who.network_id, a.id, 0, a.language));
    if (!text) continue;
    CallText call{a.language, *text, "", a.kind, "", "", false};
    if (!a.english_enc.empty()) {
      call.english = cipher_.Open(a.english_enc, places::MessageBody(who.network_id, a.id, 0, "en")).value_or("");
    }
    if (!a.location_enc.empty()) {
      call.location = cipher_.Open(a.location_enc, places::AlertLocation(who.network_id, a.id)).value_or("");
      if (!a.details_enc.empty()) {
        call.details = cipher_.Open(a.details_enc, places::AlertDetails(who.network_id, a.id)).value_or("");
      }
    }
    heard.push_back({heard.empty() ? first_token : NewToken("v"), LinesForCall(scripts_, call, recorded, url), &a});
    heard.back().lines.prompt += offer;
  }
  spdlog::info("hotline: member {} of network {} heard {} open alert(s)", *who.member_id, who.network_id, heard.size());
  if (heard.empty()) return only("hotline_none", "");
  std::vector<std::pair<std::string, PreparedCall>> calls;
  for (std::size_t i = 0; i < heard.size(); ++i) {
    const auto& h = heard[i];
    const std::string next = i + 1 < heard.size() ? options_.voice.voice_url + "/" + heard[i + 1].token : "";
    const std::string action = options_.voice.voice_url + "/" + h.token + "/answer";
    auto [token, call] = base(h.token, PromptTwimlOf(h.lines, action, next));
    call.going = TwimlOf(h.lines.going, next);
    call.cannot = TwimlOf(h.lines.cannot, next);
    call.ended = TwimlOf(h.lines.ended, next);
    call.alert_id = h.alert->id;
    call.alert_code = h.alert->code;
    call.call_in = !h.alert->reached;
    call.call_in_language = h.alert->language;
    calls.emplace_back(std::move(token), std::move(call));
  }
  std::string first = calls.front().second.prompt;
  for (auto& [token, call] : calls) hotline_calls_.Add(token, std::move(call));
  return first;
}

}  // namespace tocsin
