#include "actors/dead_letter/dead_letter_actor.hpp"

#include <caf/all.hpp>

#include "actors/log.hpp"
#include "actors/store/records.hpp"
#include "actors/util/clock.hpp"
#include "messages/outcome.hpp"
#include "messages/type_ids.hpp"

namespace spec_notify::dead_letter {
namespace {

// Its own hourly prune timer on top of what deliverers send.
using keeper_actor = dead_letter_actor::extend<caf::reacts_to<prune_atom>>;

struct keeper_state {
  keeper_state() {}
  size_t dead_since_start = 0;
};

keeper_actor::behavior_type keeper_behavior(keeper_actor::stateful_pointer<keeper_state> self,
                                            store::db_ptr db, spool::port spool,
                                            std::chrono::milliseconds retention) {
  self->send(self, prune_atom::value);
  return {
      [=](const delivery_outcome&) { ++self->state.dead_since_start; },
      [=](prune_atom) {
        auto n = prune_dead_letters(*db, util::unix_now_ms() - retention.count(), spool.write);
        if (!n)
          logging::error("dead_letter", n.message());  // retried at the next hourly prune
        else if (*n)
          logging::info("dead_letter", "pruned " + std::to_string(*n) + " dead letter(s) past retention");
        self->delayed_send(self, std::chrono::hours(1), prune_atom::value);
      },
  };
}

}  // namespace

result<size_t> prune_dead_letters(store::db& db, int64_t cutoff_ms,
                                  const std::function<status(spool::changes)>& write) {
  spool::changes c;
  db.scan(store::dead_prefix, [&](const std::string& key, const std::string& value) {
    delivery d;
    std::string sub, id;
    if (store::decode(value, d) && d.next_at_ms < cutoff_ms && store::dead_keys.parse(key, sub, id))
      c.drop_dead(sub, id);
    return true;
  });
  if (c.empty()) return size_t{0};
  const size_t n = c.size();
  if (auto written = write ? write(std::move(c)) : spool::apply(db, c); !written) return written;
  return n;
}

dead_letter_actor spawn_dead_letter_keeper(caf::local_actor* parent, store::db_ptr db, spool::port spool,
                                           std::chrono::milliseconds retention) {
  return parent->spawn<caf::monitored>(keeper_behavior, std::move(db), std::move(spool), retention);
}

}  // namespace spec_notify::dead_letter
