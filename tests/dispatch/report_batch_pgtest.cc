// SMS reports taken many at a time (issue 12, engine/report_batch.h): reports posted together,
// over several connections, so the report queue takes them in batches of whatever size the
// moment gives, end exactly as if each had been taken alone in turn: one verification, every
// other report merged into it with its reporter counted once and in order, the stranger's rate
// limit counting the reports before it, a message Twilio posts twice making one report, and no
// two reports sharing a code. Nothing here depends on how the batches formed.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <vector>

#include "tests/support/load_generator.h"
#include "tests/support/report_network.h"

using namespace tocsin::test;

namespace {

constexpr int kStrangers = 30;
constexpr const char* kFlooder = "+447700900600";

// "a,b,c" of the integers from `first` to `last`.
std::string Run(int first, int last) {
  std::string out;
  for (int i = first; i <= last; ++i) out += (out.empty() ? "" : ",") + std::to_string(i);
  return out;
}

}  // namespace

TEST_CASE("report batches: reports posted together end as if taken one at a time", "[pg][reports]") {
  ReportNetwork n;
  n.PatchNetwork(R"({"reports":{"from":"anyone","max_per_hour_per_number":3}})");
  const auto url = "http://127.0.0.1:" + std::to_string(n.server.port()) + "/twilio/sms";
  std::vector<Prepared> requests;
  for (int i = 0; i < kStrangers; ++i) {
    requests.push_back(SignedSms(url, ReportNetwork::kAuthToken, "SMbatch" + std::to_string(i),
                                 "+4477009007" + std::to_string(10 + i), ReportNetwork::kNumber,
                                 "RAID SE15 vans on Rye Lane"));
  }
  for (int i = 0; i < 5; ++i) {  // one number, five reports: the limit takes three
    requests.push_back(SignedSms(url, ReportNetwork::kAuthToken, "SMflood" + std::to_string(i), kFlooder,
                                 ReportNetwork::kNumber, "RAID SE15 more vans"));
  }
  // The provider posting one message twice.
  requests.push_back(requests.front());
  std::atomic<int> next{0};
  auto result = Generate(url, requests, next, 12);
  REQUIRE(result.errors == 0);

  const int taken = kStrangers + 3;
  CHECK(n.db.Scalar("SELECT count(*) FROM reports") == std::to_string(taken));
  CHECK(n.db.Scalar("SELECT count(DISTINCT code) FROM reports") == std::to_string(taken));
  REQUIRE(n.db.Scalar("SELECT count(*) FROM reports WHERE status = 'pending'") == "1");
  const auto first = n.db.Scalar("SELECT id FROM reports WHERE status = 'pending'");
  CHECK(n.db.Scalar("SELECT reporters FROM reports WHERE id = " + first) == std::to_string(taken));
  CHECK(n.db.Scalar("SELECT count(*) FROM reports WHERE status = 'merged' AND merged_into = " + first +
                    " AND decided_at IS NOT NULL") == std::to_string(taken - 1));
  // Its timeline: received, its verifiers asked, then one reporter_added a merge, counting up.
  CHECK(n.db.Scalar("SELECT string_agg(seq::text, ',' ORDER BY seq) FROM report_events WHERE report_id = " + first) ==
        Run(0, taken));
  CHECK(n.db.Scalar("SELECT string_agg(what, ',' ORDER BY seq) FROM report_events WHERE report_id = " + first +
                    " AND seq < 2") == "received,asked");
  CHECK(n.db.Scalar("SELECT string_agg(count::text, ',' ORDER BY seq) FROM report_events WHERE report_id = " + first +
                    " AND what = 'reporter_added'") == Run(2, taken));
  // Each merged report's: received, then merged into the first.
  CHECK(n.db.Scalar("SELECT count(*) FROM reports r WHERE r.status = 'merged' AND (SELECT string_agg(e.what || ':' ||"
                    " coalesce(e.actor, ''), ',' ORDER BY e.seq) FROM report_events e WHERE e.report_id = r.id) ="
                    " 'received:sms,merged:report:" + first + "'") == std::to_string(taken - 1));
  // One verification: each verifier of SE15 asked once.
  n.WaitFor(ReportNetwork::kVerifier2, 1, "the verifier asked");
  CHECK(n.db.Scalar("SELECT count(*) FROM alerts WHERE status = 'verifying'") == "1");
  // Only the flooder's reports taken were recorded as seen (a limited one may come again).
  CHECK(n.db.Scalar("SELECT count(*) FROM inbound_messages WHERE provider_id LIKE 'SMflood%'") == "3");
}
