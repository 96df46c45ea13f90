#include "actors/metrics/metrics_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <caf/actor_system.hpp>
#include <mutex>

#include "actors/log.hpp"
#include "actors/metrics/metrics_collector.hpp"

namespace spec_notify::metrics {

// Each stage gets this long to answer one scrape (Prometheus' default scrape timeout is 10 s).
constexpr std::chrono::milliseconds stage_timeout{1000};

struct metrics_server::impl {
  explicit impl(caf::actor_system& s) : sys(s), pool(1, 4) {}
  caf::actor_system& sys;
  std::mutex mutex;
  caf::actor supervisor;  // guarded by mutex
  Poco::ThreadPool pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;

  caf::actor current() {
    std::lock_guard<std::mutex> guard(mutex);
    return supervisor;
  }
};

namespace {

class metrics_handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit metrics_handler(metrics_server::impl& owner) : owner_(owner) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
    auto path = req.getURI().substr(0, req.getURI().find('?'));
    if (path != "/metrics" || (req.getMethod() != "GET" && req.getMethod() != "HEAD")) {
      resp.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
      resp.setContentType("text/plain; charset=utf-8");
      resp.send() << "not found: try GET /metrics\n";
      return;
    }
    auto text = render_prometheus(collect_metrics(owner_.sys, owner_.current(), stage_timeout));
    resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
    resp.setContentLength(static_cast<std::streamsize>(text.size()));
    auto& os = resp.send();
    if (req.getMethod() == "GET") os << text;
  }

 private:
  metrics_server::impl& owner_;
};

class handler_factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit handler_factory(metrics_server::impl& owner) : owner_(owner) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new metrics_handler(owner_);
  }

 private:
  metrics_server::impl& owner_;
};

}  // namespace

std::unique_ptr<metrics_server> metrics_server::start(caf::actor_system& sys, const std::string& host_port,
                                                      std::string& error) {
  auto p = std::make_unique<impl>(sys);
  try {
    Poco::Net::SocketAddress address(host_port);
    if (!address.host().isLoopback())
      logging::warn("metrics",
                    "metrics endpoint " + host_port +
                        " is not a loopback address: anyone who can reach it can read the counters");
    Poco::Net::ServerSocket socket(address, 64);
    auto params = new Poco::Net::HTTPServerParams;  // owned by the server (ref-counted)
    params->setKeepAlive(false);
    params->setTimeout(Poco::Timespan(10, 0));
    p->server = std::make_unique<Poco::Net::HTTPServer>(new handler_factory(*p), p->pool, socket, params);
    p->server->start();
  } catch (const Poco::Exception& e) {
    error = "metrics: cannot listen on '" + host_port + "': " + e.displayText();
    return nullptr;
  }
  auto server = std::unique_ptr<metrics_server>(new metrics_server(std::move(p)));
  logging::info("metrics", "serving Prometheus metrics on http://" +
                               host_port.substr(0, host_port.rfind(':')) + ":" +
                               std::to_string(server->port()) + "/metrics");
  return server;
}

metrics_server::metrics_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

metrics_server::~metrics_server() {
  // stopAll(true) aborts open connections; joinAll waits for handlers that are still collecting (each
  // collection is bounded by stage_timeout per stage), so no thread touches the actor system afterwards.
  impl_->server->stopAll(true);
  impl_->pool.joinAll();
}

void metrics_server::set_supervisor(caf::actor supervisor) {
  std::lock_guard<std::mutex> guard(impl_->mutex);
  impl_->supervisor = std::move(supervisor);
}

uint16_t metrics_server::port() const {
  return impl_->server->socket().address().port();
}

}  // namespace spec_notify::metrics
