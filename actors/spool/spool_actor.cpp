#include "actors/spool/spool_actor.hpp"

#include <caf/all.hpp>
#include <vector>

#include "actors/log.hpp"

namespace spec_notify::spool {
namespace {

// Its own "write what is queued" message, sent to itself after the first change of a group: every change
// already in the mailbox behind that one is taken into the same write.
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using impl_actor = spool_actor::extend<caf::reacts_to<commit_atom>>;

// One LevelDB batch is one write-ahead-log record, replayed into one memtable at the next open: groups stay
// bounded (the router's chunks are <= 1 MiB each).
constexpr size_t max_group_bytes = size_t(4) << 20;

struct queued {
  changes c;
  caf::typed_response_promise<status> reply;  // not pending for a posted change (anon_send)
};

struct spool_state {
  spool_state() {}
  store::db_ptr db;
  std::vector<queued> queue;
  bool armed = false;  // a commit_atom is in the mailbox
};

using self_ptr = impl_actor::stateful_pointer<spool_state>;

void commit(self_ptr self) {
  auto& st = self->state;
  st.armed = false;
  auto q = std::move(st.queue);
  st.queue.clear();
  for (size_t i = 0; i < q.size();) {
    changes group = std::move(q[i].c);
    size_t end = i + 1;
    for (; end < q.size() && group.bytes() + q[end].c.bytes() <= max_group_bytes; ++end)
      group.append(std::move(q[end].c));
    auto written = apply(*st.db, group);
    bool unheard = false;  // a posted change failed: nobody else reports it
    for (size_t k = i; k < end; ++k) {
      if (q[k].reply.pending())
        q[k].reply.deliver(written);
      else
        unheard = true;
    }
    if (!written && unheard)
      logging::error("spool", "cannot update the spool in " + st.db->dir() + ": " + written.message());
    i = end;
  }
}

impl_actor::behavior_type spool_behavior(self_ptr self, store::db_ptr db) {
  self->state.db = std::move(db);
  return {
      [=](changes& c) {
        auto rp = self->make_response_promise<status>();
        self->state.queue.push_back({std::move(c), rp});
        if (!self->state.armed) {
          self->state.armed = true;
          self->send(self, commit_atom::value);
        }
        return rp;
      },
      [=](flush_atom) {
        commit(self);
        return true;
      },
      [=](commit_atom) { commit(self); },
  };
}

}  // namespace

port through(caf::actor_system& sys, spool_actor spool) {
  port p;
  p.write = [&sys, spool](changes c) {
    if (c.empty()) return status::success();
    caf::scoped_actor self{sys};
    status out = status::failure("the spool did not answer");
    // No timeout, on purpose: a write given up on could still be applied afterwards (a router chunk then
    // consumed its events while the router numbers them again), so a caller waits as it waited for a direct
    // LevelDB write. A spool that stops answers every waiter with an error (request to a dead actor).
    self->request(spool, caf::infinite, std::move(c))
        .receive([&](status& s) { out = std::move(s); },
                 [&](caf::error& e) { out = status::failure("the spool is not running: " + sys.render(e)); });
    return out;
  };
  p.post = [spool](changes c) {
    if (!c.empty()) caf::anon_send(spool, std::move(c));
  };
  return p;
}

port direct(store::db_ptr db) {
  port p;
  p.write = [db](changes c) { return apply(*db, c); };
  p.post = [db](changes c) {
    if (auto written = apply(*db, c); !written)
      logging::error("spool", "cannot update the spool in " + db->dir() + ": " + written.message());
  };
  return p;
}

spool_actor spawn_spool(caf::actor_system& sys, store::db_ptr db, bool detached) {
  if (detached) return caf::actor_cast<spool_actor>(sys.spawn<caf::detached>(spool_behavior, std::move(db)));
  return caf::actor_cast<spool_actor>(sys.spawn(spool_behavior, std::move(db)));
}

status stop_spool(caf::actor_system& sys, const spool_actor& spool, std::chrono::milliseconds deadline) {
  if (!spool) return status::success();
  caf::scoped_actor self{sys};
  self->monitor(spool);
  status out;
  self->request(spool, deadline, flush_atom::value)
      .receive([](bool) {},
               [&](caf::error& e) {
                 out = status::failure("the spool did not finish its writes: " + sys.render(e));
               });
  // Returns once it is gone, so a writer that comes too late gets an error instead of a write.
  self->send_exit(spool, caf::exit_reason::user_shutdown);
  self->receive([](caf::down_msg&) {}, caf::after(deadline) >> [] {});
  return out;
}

}  // namespace spec_notify::spool
