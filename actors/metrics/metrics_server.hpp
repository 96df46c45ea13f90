#pragma once
// The optional Prometheus endpoint (`metrics = "host:port"` in [notify]): a Poco TCPServer running Poco's
// HTTP connection handler, answering GET /metrics with render_prometheus(collect_metrics(...)) and 404 for
// anything else. Slow clients cannot starve scrapes: one request per connection (no keep-alive), a client
// must have sent its request within 5 s of its connection being taken up (then 15 s for the answer), or its
// socket is shut down (connection_deadlines.hpp); 16 connections are served at once and 16 more may wait,
// beyond that new connections are closed at once.
//
// Owner: `spec-notify serve`. Start it after the actor_system and before the pipeline; call set_supervisor()
// whenever the pipeline (re)starts (SIGHUP reload spawns a new supervisor); destroy it BEFORE the
// actor_system (the destructor stops the listener and joins every HTTP thread, which use the system).
// Its threads are its own (a private Poco::ThreadPool), never CAF scheduler threads. Exposes counters only:
// no secrets, URLs or payloads. A non-loopback address is allowed but logged as a warning.
#include <caf/fwd.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/supervisor/supervisor_actor.hpp"
#include "messages/status.hpp"

namespace spec_notify::metrics {

class metrics_server {
 public:
  // Binds `host_port` ("127.0.0.1:9464", "[::1]:0"; port 0 = any free port) and starts serving.
  // A failure (one line) when the address is malformed or cannot be bound.
  static result<std::unique_ptr<metrics_server>> start(caf::actor_system& sys, const std::string& host_port);
  ~metrics_server();
  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;

  // The pipeline scrapes read from now on (thread-safe).
  void set_supervisor(supervisor_actor supervisor);

  uint16_t port() const;  // the bound port

  struct impl;

 private:
  explicit metrics_server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace spec_notify::metrics
