// Engine::AnswerForOrganisation, apart from engine.cc: GCC 12 crashes compiling larger
// coroutine files.
#include "dispatch/engine/engine.h"

namespace tocsin {

boost::asio::awaitable<Result<OrganisationResponseView>> Engine::AnswerForOrganisation(const Network& net,
                                                                                       OrganisationAnswerInput in,
                                                                                       const std::string& actor) {
  auto recorded = co_await db_.Run([&](pqxx::connection& c) -> Result<OrganisationResponseView> {
    pqxx::work tx(c);
    auto r = organisation_answer_.Record(tx, net, in, actor, clock_->NowMs());
    if (r.ok()) tx.commit();
    return r;
  });
  if (recorded.ok()) {
    WakeOrganisations();
    events_.Publish(in.alert_id, "answer", OrganisationAnswerEventJson(recorded.value()));
  }
  co_return recorded;
}

}  // namespace tocsin
