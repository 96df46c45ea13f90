#include "actors/deliverer/deliverer_actor.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <set>

#include "actors/deliverer/http_worker.hpp"
#include "actors/deliverer/schedule.hpp"
#include "actors/log.hpp"
#include "actors/util/clock.hpp"

namespace spec_notify::deliverer {
namespace {

// Its own timers on top of the public interface: the next due attempt, and the stop deadline.
using impl_actor = deliverer_actor::extend<caf::reacts_to<tick_atom>, caf::reacts_to<drain_atom>>;

struct deliverer_state {
  deliverer_state() {}
  std::unique_ptr<schedule> book;
  std::deque<http_worker_actor> idle;  // workers free to take a request
  std::set<caf::actor_addr> workers;
  std::vector<std::shared_ptr<http_sender>> senders;  // one per worker, to cancel requests at shutdown
  evidence_actor evidence;
  dead_letter_actor dead_letter;
  int64_t timer_at = 0;   // when the pending tick fires; 0 = none armed
  bool draining = false;  // stopping: no new attempts, waiting for in-flight ones to finish
  std::string tag;        // "deliverer/<name>" for logs
  int64_t delivered = 0, failed_attempts = 0, dead_lettered = 0;
  std::vector<int64_t> latency_buckets = std::vector<int64_t>(latency_bucket_count);  // metrics histogram
  int64_t latency_sum_ms = 0;
};

using self_ptr = impl_actor::stateful_pointer<deliverer_state>;

void pump(self_ptr self);
void report(self_ptr self, const delivery_outcome& o);

// One line when the circuit opens and one when it closes; the attempts in between are logged at debug only.
void log_circuit_change(self_ptr self, bool was_open) {
  auto& st = self->state;
  const auto& book = *st.book;
  if (book.circuit_open() == was_open) return;
  const auto& b = book.settings().breaker;
  if (book.circuit_open())
    logging::warn(st.tag, "circuit OPEN after " + std::to_string(book.consecutive_failures()) +
                              " consecutive failed attempt(s): no normal attempts, one probe every " +
                              std::to_string(b.probe.count()) + " ms; " + std::to_string(book.pending()) +
                              " delivery(ies) wait without using up their attempts");
  else
    logging::info(st.tag, "circuit CLOSED: the endpoint answered 2xx; " + std::to_string(book.pending()) +
                              " pending delivery(ies) resume");
}

// Applies an attempt's result: the outcome report, and the circuit's change when it has one.
void complete(self_ptr self, const attempt_result& r) {
  const bool was_open = self->state.book->circuit_open();
  auto o = self->state.book->complete(r, util::unix_now_ms());
  log_circuit_change(self, was_open);
  if (o)
    report(self, *o);
  else
    logging::debug(self->state.tag,
                   "result for " + r.delivery_id + " matches no delivery in flight; ignored");
}

void report(self_ptr self, const delivery_outcome& o) {
  auto& st = self->state;
  const outcome_kind kind = o.kind;
  if (kind == outcome_kind::delivered) ++st.delivered;
  if (kind == outcome_kind::retrying || kind == outcome_kind::dead_lettered || kind == outcome_kind::disabled)
    ++st.failed_attempts;
  if (kind == outcome_kind::dead_lettered) ++st.dead_lettered;
  if (kind != outcome_kind::dry_run) {
    ++st.latency_buckets[latency_bucket_index(o.attempt.latency_ms)];
    st.latency_sum_ms += o.attempt.latency_ms;
  }
  // Successes are the bulk (thousands per second in a burst) and logged at debug only: their line is not even
  // built unless debug is on.
  const bool success = kind == outcome_kind::delivered || kind == outcome_kind::dry_run;
  std::string line;
  if (!success || logging::enabled(logging::level::debug)) {
    line = o.delivery_id + " attempt " + std::to_string(o.attempt.attempt) + ": " + to_string(kind);
    if (o.attempt.status_code) line += " (HTTP " + std::to_string(o.attempt.status_code) + ")";
    if (!o.attempt.error.empty() && kind != outcome_kind::delivered) line += " " + o.attempt.error;
  }
  switch (kind) {
    // Successes are the bulk (thousands per second in a burst): debug only; evidence records each one.
    case outcome_kind::delivered:
    case outcome_kind::dry_run:
      if (!line.empty()) logging::debug(st.tag, line);
      break;
    case outcome_kind::retrying:
      if (st.book->circuit_open())
        logging::debug(st.tag, line + " (circuit open: not counted)");
      else
        logging::warn(st.tag, line);
      break;
    case outcome_kind::dead_lettered:
      logging::error(
          st.tag, line + "; moved to dead letters (replay with: spec-notify --replay " + o.delivery_id + ")");
      break;
    case outcome_kind::disabled:
      logging::error(st.tag, "subscription DISABLED: " + st.book->disabled_reason() +
                                 "; its deliveries stay queued (resume with the admin shell)");
      break;
    case outcome_kind::requeued:  // admin replay's; a deliverer never reports one
      break;
  }
  if (st.evidence) self->send(st.evidence, o);
  if (st.dead_letter && kind == outcome_kind::dead_lettered) self->send(st.dead_letter, o);
}

http_worker_actor add_worker(self_ptr self) {
  auto& senders = self->state.senders;
  // A sender only we still hold belonged to a worker that died: drop it (and its watchdog thread).
  senders.erase(std::remove_if(senders.begin(), senders.end(), [](auto& s) { return s.use_count() == 1; }),
                senders.end());
  auto sender = std::make_shared<http_sender>();
  auto worker = spawn_http_worker(self, self->state.book->settings(), sender);
  senders.push_back(std::move(sender));
  self->state.workers.insert(worker.address());
  return worker;
}

void dispatch(self_ptr self, http_worker_actor worker, delivery d) {
  int32_t n = d.attempts + 1;
  auto id = d.id;
  self->request(worker, caf::infinite, send_atom::value, std::move(d), n)
      .then(
          [=](const attempt_result& r) {
            self->state.idle.push_back(worker);
            complete(self, r);
            pump(self);
          },
          [=](caf::error& err) {
            // The worker died mid-request: count it as a failed attempt, replace the worker.
            attempt_result r;
            r.delivery_id = id;
            r.attempt = {n, util::unix_now_ms(), 0,
                         "internal error: http worker failed: " + self->system().render(err), 0};
            self->state.workers.erase(worker.address());
            auto fresh = add_worker(self);
            self->state.idle.push_back(fresh);
            complete(self, r);
            pump(self);
          });
}

// In-flight requests may finish this long after SIGTERM before the deliverer stops anyway; their deliveries
// stay in the spool and are sent again (same webhook-id) at the next start.
constexpr auto drain_deadline = std::chrono::seconds(5);

// Every way out goes through here. The workers are linked detached actors blocked in post(): they only see
// our exit once their request returns, so cancel() ends those requests at once (their sockets are shut
// down) instead of letting them run to their own timeout while the actor system waits for them.
void stop(self_ptr self, caf::error reason) {
  for (auto& s : self->state.senders) s->cancel();
  self->quit(std::move(reason));
}

void pump(self_ptr self) {
  auto& st = self->state;
  if (st.draining) {
    if (st.book->in_flight() == 0) stop(self, caf::exit_reason::user_shutdown);
    return;
  }
  if (st.book->paused() || st.book->disabled()) return;
  auto now = util::unix_now_ms();
  if (st.book->settings().dry_run) {
    // Each completion may queue the next delivery of its key (ordering): take until nothing is due.
    for (auto due = st.book->take_due(now, SIZE_MAX); !due.empty(); due = st.book->take_due(now, SIZE_MAX))
      for (auto& d : due) report(self, st.book->complete_dry_run(d, now));
    return;
  }
  for (auto& d : st.book->take_due(now, st.idle.size())) {
    auto worker = st.idle.front();
    st.idle.pop_front();
    dispatch(self, worker, std::move(d));
  }
  if (st.idle.empty()) return;  // a completion pumps again
  auto next = st.book->next_due();
  if (next == INT64_MAX || (st.timer_at && st.timer_at <= next)) return;
  st.timer_at = next;
  self->delayed_send(self, std::chrono::milliseconds(std::max<int64_t>(0, next - now)), tick_atom::value);
}

impl_actor::behavior_type deliverer_behavior(self_ptr self, store::db_ptr db, spool::port spool,
                                             config::subscription_settings sub) {
  auto& st = self->state;
  st.tag = "deliverer/" + sub.name;
  // Workers are linked so they stop with us; a worker's own failure is handled per request instead.
  self->set_exit_handler([=](caf::exit_msg& em) {
    if (self->state.workers.count(em.source)) return;
    if (em.reason == caf::exit_reason::user_shutdown && self->state.book->in_flight() > 0) {
      logging::info(
          self->state.tag,
          "stopping: waiting for " + std::to_string(self->state.book->in_flight()) + " request(s) in flight");
      self->state.draining = true;
      self->delayed_send(self, drain_deadline, drain_atom::value);
      return;
    }
    stop(self, em.reason);
  });
  auto max_in_flight = sub.max_in_flight;
  st.book = std::make_unique<schedule>(std::move(db), std::move(sub), std::move(spool));
  for (int i = 0; i < max_in_flight; ++i) st.idle.push_back(add_worker(self));
  auto loaded = st.book->load();
  if (loaded)
    logging::info(st.tag, "resuming " + std::to_string(loaded) + " pending delivery(ies) from the spool");
  if (st.book->paused())
    logging::warn(st.tag,
                  "subscription is paused by an operator; resume it with the admin shell (resume NAME)");
  if (st.book->disabled())
    logging::warn(st.tag,
                  "subscription is disabled (" + st.book->disabled_reason() + "); deliveries kept queued");
  if (st.book->circuit_open())
    logging::warn(st.tag, "circuit is open (since " + std::to_string(st.book->circuit_since_ms()) +
                              " unix ms); probing the endpoint now");
  return {
      [=](wire_atom, const evidence_actor& evidence, const dead_letter_actor& dead_letter) {
        self->state.evidence = evidence;
        self->state.dead_letter = dead_letter;
        pump(self);
      },
      [=](const delivery_batch& batch) {
        if (batch.subscription != self->state.book->settings().name) {
          // A wiring mistake, never expected: those records stay in the spool for their own deliverer.
          logging::error(self->state.tag, "ignored " + std::to_string(batch.items.size()) +
                                              " delivery(ies) of subscription " + batch.subscription);
          return;
        }
        for (const auto& d : batch.items) self->state.book->add(d);
        pump(self);
      },
      [=](tick_atom) {
        self->state.timer_at = 0;
        pump(self);
      },
      [=](status_atom) {
        auto& st = self->state;
        subscription_status s;
        s.name = st.book->settings().name;
        s.pending = static_cast<int32_t>(st.book->pending());
        s.in_flight = static_cast<int32_t>(st.book->in_flight());
        s.max_in_flight = st.book->settings().max_in_flight;
        s.paused = st.book->paused();
        s.disabled = st.book->disabled_reason();
        s.delivered = st.delivered;
        s.failed_attempts = st.failed_attempts;
        s.dead_lettered = st.dead_lettered;
        s.latency_buckets = st.latency_buckets;
        s.latency_sum_ms = st.latency_sum_ms;
        auto next = st.book->next_due();
        s.next_attempt_ms = next == INT64_MAX ? 0 : next;
        s.circuit = st.book->circuit_state();
        s.circuit_since_ms = st.book->circuit_since_ms();
        s.consecutive_failures = st.book->consecutive_failures();
        s.rate_tokens = st.book->rate_tokens(util::unix_now_ms());
        s.ordering = std::string(config::to_string(st.book->settings().ordering));
        s.keys_waiting = static_cast<int64_t>(st.book->keys_waiting());
        s.longest_key_queue = static_cast<int64_t>(st.book->longest_key_queue());
        return s;
      },
      [=](drain_atom) {
        // Deadline passed: abort what is still on the wire; those deliveries stay in the spool.
        logging::warn(self->state.tag, "stop deadline reached; aborting " +
                                           std::to_string(self->state.book->in_flight()) +
                                           " request(s) in flight");
        stop(self, caf::exit_reason::user_shutdown);
      },
      [=](pause_atom) { self->state.book->set_paused(true); },
      [=](enable_atom) {  // a replay re-enabled the subscription; an operator pause stays as it is
        self->state.book->enable(util::unix_now_ms());
        pump(self);
      },
      [=](resume_atom) {
        self->state.book->set_paused(false);
        self->state.book->enable(util::unix_now_ms());
        pump(self);
      },
  };
}

}  // namespace

deliverer_actor spawn_deliverer(caf::local_actor* parent, store::db_ptr db, spool::port spool,
                                config::subscription_settings sub) {
  return parent->spawn<caf::monitored>(deliverer_behavior, std::move(db), std::move(spool), std::move(sub));
}

}  // namespace spec_notify::deliverer
