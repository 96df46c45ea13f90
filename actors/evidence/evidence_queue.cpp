#include "actors/evidence/evidence_queue.hpp"

#include <utility>

namespace spec_notify::evidence {

evidence_queue::report evidence_queue::submit(evidence_record r) {
  report out;
  keep(std::move(r));
  flush(out);
  enforce_bounds(out);
  return out;
}

evidence_queue::report evidence_queue::submit_all(std::vector<evidence_record> rs) {
  report out;
  for (auto& r : rs) keep(std::move(r));
  log_.begin_batch();
  flush(out);
  log_.end_batch();
  enforce_bounds(out);
  return out;
}

void evidence_queue::keep(evidence_record r) {
  entry e;
  e.key = spec_folder_name(r.spec_id);
  // An estimate of the memory a kept record holds (its strings), not its exact rendered size.
  e.bytes = sizeof(entry) + r.delivery_id.size() + r.subscription.size() + r.event_type.size() +
            r.spec_id.size() + r.task_id.size() + r.kind.size() + r.error.size() + r.outcome.size() +
            r.sample.size();
  e.record = std::move(r);
  kept_bytes_ += e.bytes;
  kept_.push_back(std::move(e));
}

std::string evidence_queue::shutdown_report() const {
  if (kept_.empty()) return "";
  return "evidence: stopping with " + std::to_string(kept_.size()) +
         " record(s) not written (kept in memory)";
}

evidence_queue::report evidence_queue::retry() {
  report out;
  flush(out);
  return out;
}

void evidence_queue::flush(report& out) {
  std::set<std::string> blocked;  // folders whose oldest kept record failed in this pass
  for (auto it = kept_.begin(); it != kept_.end();) {
    if (blocked.count(it->key) != 0) {
      it->failed = true;  // held back behind a failed one
      ++it;
      continue;
    }
    const std::string err = log_.append(it->record).message();  // "" when written
    if (!err.empty()) {
      it->failed = true;
      blocked.insert(it->key);
      if (reported_.insert(err).second)
        out.warnings.push_back(err +
                               "; keeping the record (and later ones for that SPEC) until it can be written");
      ++it;
      continue;
    }
    if (it->failed) ++written_after_failure_;
    kept_bytes_ -= it->bytes;
    it = kept_.erase(it);
  }
  if (kept_.empty() && (!reported_.empty() || dropped_since_report_ > 0)) {
    std::string msg =
        "evidence: writing again; " + std::to_string(written_after_failure_) + " kept record(s) written";
    if (dropped_since_report_ > 0) msg += ", " + std::to_string(dropped_since_report_) + " dropped (limit)";
    out.warnings.push_back(msg);
    reported_.clear();
    written_after_failure_ = 0;
    dropped_since_report_ = 0;
  }
}

void evidence_queue::enforce_bounds(report& out) {
  const size_t before = dropped_since_report_;
  while (!kept_.empty() && (kept_.size() > max_records_ || kept_bytes_ > max_bytes_)) {
    kept_bytes_ -= kept_.front().bytes;
    kept_.pop_front();
    ++dropped_since_report_;
    ++dropped_total_;
  }
  if (before == 0 && dropped_since_report_ > 0)  // once per burst; the total comes with "writing again"
    out.warnings.push_back("evidence: " + std::to_string(kept_.size()) +
                           " records are waiting to be written (the limit); dropping the oldest from now on");
}

}  // namespace spec_notify::evidence
