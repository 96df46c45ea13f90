#pragma once
// Records the evidence_log could not write yet, kept in memory (bounded) and written, in order, once it can:
// a symlink planted on the evidence path (refused, see evidence_log.hpp), a folder that cannot be created, a
// full disk. Owned by the evidence writer actor; not thread-safe.
//
// Order: records of one SPEC folder are written in arrival order; a SPEC whose oldest kept record still fails
// does not hold up the others (one attempt per blocked folder per pass, so a blocked folder costs one failed
// walk per pass, not one per kept record).
// Bound: at most max_records kept records and max_bytes of their rendered lines; past either, the oldest kept
// record is dropped and counted (reported once per burst). The records are NOT spooled to disk: a daemon
// stopped while records are kept loses them, and says how many in its log (shutdown_report).
// Warnings: each distinct failure (they name the refused path) is reported once until the queue drains, not
// once per record.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <vector>

#include "actors/evidence/evidence_log.hpp"

namespace spec_notify::evidence {

class evidence_queue {
 public:
  struct report {
    std::vector<std::string> warnings;  // new failures (each named once), drops, and "written again" notices
  };

  explicit evidence_queue(evidence_log& log, size_t max_records = 10000, size_t max_bytes = 16u << 20)
      : log_(log), max_records_(max_records), max_bytes_(max_bytes) {}

  // Queues `r` behind the kept records and writes whatever can be written now.
  report submit(evidence_record r);
  // Queues all of `rs` in order and writes them in one batch of the log (evidence_log::begin_batch).
  report submit_all(std::vector<evidence_record> rs);
  // Writes what can be written now (the actor calls this from a timer while records are kept).
  report retry();

  // "" when nothing is kept, else one line saying how many records are lost by stopping now.
  std::string shutdown_report() const;

  size_t kept() const { return kept_.size(); }
  size_t dropped() const { return dropped_total_; }

 private:
  struct entry {
    evidence_record record;
    std::string key;  // SPEC folder name
    size_t bytes = 0;
    bool failed = false;  // a write of it failed before
  };
  void keep(evidence_record r);
  void flush(report& out);
  void enforce_bounds(report& out);

  evidence_log& log_;
  size_t max_records_, max_bytes_;
  std::deque<entry> kept_;
  size_t kept_bytes_ = 0;
  size_t dropped_since_report_ = 0, dropped_total_ = 0;
  size_t written_after_failure_ = 0;
  std::set<std::string> reported_;  // failures already warned about since the queue was last empty
};

}  // namespace spec_notify::evidence
