#include "actors/admin/requests.hpp"

#include <chrono>

#include "actors/admin/operations.hpp"
#include "actors/evidence/evidence_log.hpp"
#include "actors/util/clock.hpp"

namespace spec_notify::admin {
namespace {

evidence::evidence_record replay_record(const delivery& d, int64_t at_ms) {
  evidence::evidence_record r;
  r.kind = "replay";
  r.delivery_id = d.id;
  r.subscription = d.subscription;
  r.event_type = d.event_type;
  r.spec_id = d.spec_id;
  r.task_id = d.task_id;
  r.attempt = 0;
  r.at_ms = at_ms;
  r.replay = true;
  r.outcome = "requeued";
  return r;
}

}  // namespace

admin_reply handle_list(const store::db& db, const admin_request& req) {
  admin_reply reply;
  reply.rows = list_deliveries(db, list_filter{req.failed, req.subscription, req.with_body});
  return reply;
}

admin_reply handle_replay(store::db& db, const admin_request& req, const evidence_target& evidence,
                          std::vector<delivery>& replayed) {
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
  auto out = replay(db, sel);
  reply.replayed = std::move(out.results);
  if (!out.error.empty()) {
    reply.ok = false;
    reply.message = "replay failed: cannot write the store in " + db.dir() + ": " + out.error;
    return reply;
  }
  evidence::evidence_log log(evidence.dir, evidence.max_bytes_per_spec, evidence.repo);
  auto at = util::unix_now_ms();
  for (const auto& d : out.replayed) {
    if (auto err = log.append(replay_record(d, at)); !err.empty() && reply.message.empty())
      reply.message = "replayed, but the evidence record was not written: " + err;
  }
  replayed = std::move(out.replayed);
  return reply;
}

}  // namespace spec_notify::admin
