#include "tests/support/load_generator.h"

#include <curl/curl.h>

#include <algorithm>

#include "dispatch/channels/twilio_signature.h"

namespace tocsin::test {
namespace {

std::size_t Discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

}  // namespace

Prepared SignedSms(const std::string& url, const std::string& auth_token, const std::string& sid,
                   const std::string& from, const std::string& to, const std::string& body) {
  FormParams p = {{"MessageSid", sid}, {"From", from}, {"To", to}, {"Body", body},
                  {"AccountSid", "AC00000000000000000000000000000000"}};
  return {FormUrlEncode(p), TwilioSignature(auth_token, url, p)};
}

double Percentile(const std::vector<double>& sorted, double p) {
  return sorted[static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1))];
}

GeneratorResult Generate(const std::string& url, const std::vector<Prepared>& requests, std::atomic<int>& next,
                         int connections, std::optional<std::chrono::steady_clock::time_point> start, double per_second) {
  using Clock = std::chrono::steady_clock;
  struct Client {
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    Clock::time_point t0;
  };
  GeneratorResult out;
  CURLM* multi = curl_multi_init();
  std::vector<Client> clients(static_cast<std::size_t>(connections));
  std::vector<Client*> idle;
  int claimed = -1;  // an index taken from `next` whose time has not come (open loop)
  int in_flight = 0;
  bool exhausted = false;
  auto due = [&](int i) {
    return *start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(i / per_second));
  };
  auto send = [&](Client& cl, int i, Clock::time_point t0) {
    if (cl.headers) curl_slist_free_all(cl.headers);
    cl.headers = curl_slist_append(nullptr, ("X-Twilio-Signature: " + requests[i].signature).c_str());
    cl.headers = curl_slist_append(cl.headers, "Expect:");
    curl_easy_setopt(cl.easy, CURLOPT_HTTPHEADER, cl.headers);
    curl_easy_setopt(cl.easy, CURLOPT_POSTFIELDS, requests[i].body.c_str());
    curl_easy_setopt(cl.easy, CURLOPT_PRIVATE, &cl);
    cl.t0 = t0;
    curl_multi_add_handle(multi, cl.easy);
    ++in_flight;
  };
  // Starts what may start now; returns how long until the next request is due (open loop).
  auto start_ready = [&]() -> std::chrono::milliseconds {
    while (!idle.empty() && !exhausted) {
      int i = claimed >= 0 ? claimed : next++;
      claimed = -1;
      if (i >= static_cast<int>(requests.size())) {
        exhausted = true;
        break;
      }
      auto t0 = Clock::now();
      if (start) {
        auto when = due(i);
        if (when > t0) {
          claimed = i;
          return std::chrono::ceil<std::chrono::milliseconds>(when - t0);
        }
        t0 = when;
      }
      send(*idle.back(), i, t0);
      idle.pop_back();
    }
    return std::chrono::milliseconds(100);
  };
  for (auto& cl : clients) {
    cl.easy = curl_easy_init();
    curl_easy_setopt(cl.easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(cl.easy, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(cl.easy, CURLOPT_WRITEFUNCTION, Discard);
    idle.push_back(&cl);
  }
  for (;;) {
    auto wait = start_ready();
    if (exhausted && in_flight == 0) break;
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Client* cl = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&cl));
      long status = 0;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
      out.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - cl->t0).count());
      if (msg->data.result != CURLE_OK || status != 200) ++out.errors;
      curl_multi_remove_handle(multi, msg->easy_handle);
      --in_flight;
      idle.push_back(cl);
    }
    if (!idle.empty() && (claimed < 0 || wait.count() == 0) && !exhausted) continue;
    curl_multi_poll(multi, nullptr, 0, static_cast<int>(std::max<long long>(1, wait.count())), nullptr);
  }
  for (auto& cl : clients) {
    curl_slist_free_all(cl.headers);
    curl_easy_cleanup(cl.easy);
  }
  curl_multi_cleanup(multi);
  return out;
}

}  // namespace tocsin::test
