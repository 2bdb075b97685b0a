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

}  // namespace tocsin
