#pragma once
// The router's logic without the actor: matches events against the subscriptions and turns each match into a
// durable delivery. The dlv/ records of a batch of events are written in the same synced LevelDB batch that
// deletes those events' evt/ records, so an event is either still pending fan-out or fully fanned out.
// Large inputs (one save of a 10,000-row file) are written in chunks: each chunk holds whole events (all of
// an event's deliveries and the deletion of its evt/ record) and is one synced batch, so the outbox guarantee
// holds per chunk, and a crash between two chunks leaves the later events in evt/ to be routed again at the
// next start (never a delivery without its event consumed, never an event consumed without its deliveries).
// Chunking keeps each write-ahead-log record small: LevelDB replays a record into one memtable at open, and
// one 100k-delivery batch (~33 MB) made a restart peak at ~90 MB of heap (docs/benchmarks.md, backlog).
// An event that no subscription takes is consumed all the same (nothing to deliver), and described in one
// line with each subscription's reason (subscription_filter.hpp mismatch_reason, or why it is disabled).
// Each delivery also gets its ordering key (ordering.hpp) and the next number of that key's per-subscription
// sequence; the last number of each key (seq/<sub>/<key>) is written in the same chunk as the deliveries it
// numbers, so a chunk that fails leaves no gap: its events are routed again later and get the same numbers.
// Each delivery's body is rendered here, per subscription (body_template.hpp: the standard payload, a chat
// format or the subscription's template), and stored with it.
// Called by router_actor only (single-threaded use): the router alone decides seq/ numbers (the spool actor
// writes them, with the chunk).
#include <cstddef>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/router/body_template.hpp"
#include "actors/router/subscription_filter.hpp"
#include "actors/spool/changes.hpp"
#include "actors/store/store.hpp"
#include "config/settings.hpp"
#include "messages/delivery.hpp"
#include "messages/event.hpp"

namespace spec_notify::router {

using routed = std::map<std::string, std::vector<delivery>>;  // subscription name -> new deliveries

// Where one chunk (one synced batch) ends: after the event that brings it to either limit.
struct chunk_limits {
  size_t deliveries = 1000;
  size_t bytes = size_t(1) << 20;
};

class fan_out {
 public:
  // Reads `db` (evt/, seq/). The router actor writes the chunks through the spool actor (next_chunk);
  // route() writes them itself with spool::apply, for tests and tools that hold the store alone.
  fan_out(store::db_ptr db, const std::vector<config::subscription_settings>& subs, chunk_limits limits = {});
  virtual ~fan_out() = default;

  // Persists one delivery per (event, matching enabled subscription) and consumes the events' evt/ records,
  // chunk by chunk (see above). On a store error returns that failure: the chunks written before it
  // stay written and their deliveries are in `out` (hand them to the deliverers all the same); the events of
  // the failed chunk and of every later one keep their evt/ records for a retry. Events whose evt/ record is
  // already gone (routed before) are skipped, so routing the same event twice is harmless.
  // `untaken`, when given, receives one line per routed event that no subscription takes, naming each
  // subscription and why it refused the event (describe_untaken); the router logs them at info, so a filter
  // that drops everything is visible instead of silent.
  status route(const std::vector<event>& events, routed& out, std::vector<std::string>* untaken = nullptr);

  // route() in steps, for a caller that writes the chunks itself (the router actor, through the spool):
  // next_chunk builds the chunk of whole events starting at events[from] (numbered tentatively), then the
  // caller writes `changes` and says written() or not_written() before it asks for the next chunk. After
  // not_written the events from that chunk on stay in evt/ (routed again at the next start).
  struct chunk {
    spool::changes changes;  // empty: nothing left to route (every remaining event already routed)
    routed deliveries;       // hand them to the deliverers once `changes` is written
    size_t next = 0;         // the first event after this chunk
  };
  chunk next_chunk(const std::vector<event>& events, size_t from,
                   std::vector<std::string>* untaken = nullptr);
  void written();
  void not_written();

  // Events left in evt/ by a crash between the differ's write and the fan-out.
  std::vector<event> leftovers() const;

 protected:
  // Writes one chunk (synced) and waits for it. A seam for tests.
  virtual status commit(spool::changes chunk);

 private:
  struct target {
    std::string name;
    filter f;
    std::string disabled;  // why this subscription takes nothing ("" = enabled)
    config::ordering_mode ordering = config::ordering_mode::task;
    // The subscription's body (payload v1, a chat format or its template), rendered per delivery.
    std::shared_ptr<body_template> body;
  };
  std::string describe_untaken(const event& e) const;
  // The last sequence number of `seq_key` (store::sequence_key) as durable so far: cache, else the store.
  int64_t last_sequence(const std::string& seq_key);
  // Numbers given in the chunk being built (not yet durable); merged into committed_ when it is.
  std::unordered_map<std::string, int64_t> uncommitted_;
  std::unordered_map<std::string, int64_t> committed_;
  store::db_ptr db_;
  std::vector<target> targets_;
  chunk_limits limits_;
};

}  // namespace spec_notify::router
