#include "dispatch/channels/twilio_call_provider.h"


namespace tocsin {

TwilioCallProvider::TwilioCallProvider(boost::asio::any_io_executor executor,
                                       TwilioSettings settings, std::string status_callback_url)
    : settings_(std::move(settings)),
      url_(settings_.api_base + "/2010-04-01/Accounts/" + settings_.account_sid + "/Calls.json"),
      status_callback_url_(std::move(status_callback_url)),
      client_(TwilioProvider::Client(executor, settings_)) {}

void TwilioCallProvider::Place(const CallRequest& call, std::function<void(SmsOutcome)> done) {
  HttpRequest req = TwilioProvider::Request(settings_, url_,
                                            {{"To", call.to},
                                             {"From", call.from},
                                             {"Url", call.url},
                                             {"StatusCallback", status_callback_url_},
                                             {"StatusCallbackEvent", "initiated"},
                                             {"StatusCallbackEvent", "ringing"},
                                             {"StatusCallbackEvent", "answered"},
                                             {"StatusCallbackEvent", "completed"},
                                             {"Timeout", std::to_string(call.timeout_seconds)},
                                             {"MachineDetection", "Enable"}});
  client_.Start(std::move(req), [done = std::move(done)](HttpResponse r) {
    done(TwilioProvider::Interpret(r));
  });
}

void TwilioCallProvider::FetchRecording(const std::string& sid, std::function<void(Result<RecordingAudio>)> done) {
  HttpRequest req;
  req.method = "GET";
  req.url = settings_.api_base + "/2010-04-01/Accounts/" + settings_.account_sid + "/Recordings/" + sid + ".mp3";
  req.basic_user = settings_.account_sid;
  req.basic_password = settings_.auth_token;
  req.timeout = settings_.timeout;
  req.keep_headers = {"content-type"};
  client_.Start(std::move(req), [done = std::move(done)](HttpResponse r) {
    if (r.status == 200) {
      auto type = r.headers.count("content-type") ? r.headers.at("content-type") : std::string("audio/mpeg");
      done(RecordingAudio{std::move(type), std::move(r.body)});
    } else if (r.status == 404) {
      done(Error::NotFound("the provider has no such recording (deleted?)"));
    } else {
      done(Error::Unavailable(r.status == 0 ? "the provider did not answer (" + r.error + ")"
                                            : "the provider answered " + std::to_string(r.status)));
    }
  });
}

}  // namespace tocsin
