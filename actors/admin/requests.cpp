#include "actors/admin/requests.hpp"

#include "actors/admin/operations.hpp"
#include "actors/evidence/evidence_log.hpp"
#include "actors/util/clock.hpp"

namespace spec_notify::admin {

admin_reply handle_list(const store::db& db, const admin_request& req) {
  admin_reply reply;
  reply.rows = list_deliveries(db, list_filter{req.failed, req.subscription, req.with_body});
  return reply;
}

admin_reply handle_replay(store::db& db, const admin_request& req, std::vector<delivery>& replayed,
                          const std::function<status(spool::changes)>& write) {
  admin_reply reply;
  if (req.ids.empty() && !req.failed) {
    reply.ok = false;
    reply.message = "replay needs delivery ids or --failed";
    return reply;
  }
  replay_selection sel;
  sel.ids = req.ids;
  sel.since_ms = req.since_ms;
  sel.subscription = req.subscription;
  auto out = replay(db, sel, write);
  reply.replayed = std::move(out.results);
  if (!out.error.empty()) {
    reply.ok = false;
    reply.message = "replay failed: cannot write the store in " + db.dir() + ": " + out.error;
    return reply;
  }
  replayed = std::move(out.replayed);
  return reply;
}

std::vector<delivery_outcome> replay_outcomes(const std::vector<delivery>& replayed, int64_t at_ms) {
  std::vector<delivery_outcome> out;
  out.reserve(replayed.size());
  for (const auto& d : replayed) {
    attempt_record none;  // no attempt was made: attempt 0 at the time of the replay
    none.at_ms = at_ms;
    auto o = outcome_of(d, outcome_kind::requeued, none);
    o.replay = true;
    out.push_back(std::move(o));
  }
  return out;
}

std::string record_offline(const evidence_target& evidence, const std::vector<delivery_outcome>& outcomes) {
  evidence::evidence_log log(evidence.dir, evidence.max_bytes_per_spec, evidence.repo);
  std::string first_error;
  for (const auto& o : outcomes)
    if (auto written = log.append(evidence::to_record(o)); !written && first_error.empty())
      first_error = written.message();
  return first_error;
}

}  // namespace spec_notify::admin
