#include "actors/metrics/metrics_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/ThreadPool.h>

#include <caf/actor_system.hpp>
#include <mutex>

#include "actors/log.hpp"
#include "actors/metrics/connection_deadlines.hpp"
#include "actors/metrics/metrics_collector.hpp"

namespace spec_notify::metrics {

// Each stage gets this long to answer one scrape (Prometheus' default scrape timeout is 10 s).
constexpr std::chrono::milliseconds stage_timeout{1000};
// A client must have sent its whole request this long after its connection was taken up, or it is cut off.
constexpr std::chrono::seconds request_deadline{5};
// Once the request is in: time to collect (bounded by stage_timeout per stage) and write the answer.
constexpr std::chrono::seconds answer_deadline{15};
// Connections served at once (one thread each) and accepted connections waiting for a thread; beyond both,
// Poco closes new connections at once. Slow clients therefore occupy at most kMaxThreads threads for at most
// request_deadline each, and fewer than kMaxThreads of them never delay a scrape at all.
constexpr int kMaxThreads = 16;
constexpr int kMaxQueued = 16;

struct metrics_server::impl {
  explicit impl(caf::actor_system& s) : sys(s), pool(2, kMaxThreads) {}
  caf::actor_system& sys;
  std::mutex mutex;
  supervisor_actor supervisor;  // guarded by mutex
  connection_deadlines deadlines;
  Poco::ThreadPool pool;
  std::unique_ptr<Poco::Net::TCPServer> server;

  supervisor_actor current() {
    std::lock_guard<std::mutex> guard(mutex);
    return supervisor;
  }
};

namespace {

class metrics_handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit metrics_handler(metrics_server::impl& owner) : owner_(owner) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
    // The request has arrived in time: the connection now gets answer_deadline for the rest.
    if (auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&req))
      owner_.deadlines.watch(impl->socket().impl()->sockfd(),
                             connection_deadlines::clock::now() + answer_deadline);
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

// Poco's HTTPServerConnection with a deadline: watched from the moment a thread takes the connection up.
class deadline_connection : public Poco::Net::HTTPServerConnection {
 public:
  deadline_connection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                      Poco::Net::HTTPRequestHandlerFactory::Ptr factory, connection_deadlines& deadlines)
      : HTTPServerConnection(socket, std::move(params), std::move(factory)), deadlines_(deadlines) {}

  void run() override {
    const int fd = socket().impl()->sockfd();
    deadlines_.watch(fd, connection_deadlines::clock::now() + request_deadline);
    try {
      HTTPServerConnection::run();
    } catch (...) {
      deadlines_.forget(fd);
      throw;  // TCPServerConnection::start() logs and swallows it
    }
    deadlines_.forget(fd);
  }

 private:
  connection_deadlines& deadlines_;
};

class connection_factory : public Poco::Net::TCPServerConnectionFactory {
 public:
  connection_factory(Poco::Net::HTTPServerParams::Ptr params,
                     Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, connection_deadlines& deadlines)
      : params_(std::move(params)), handlers_(std::move(handlers)), deadlines_(deadlines) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new deadline_connection(socket, params_, handlers_, deadlines_);
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
  connection_deadlines& deadlines_;
};

}  // namespace

result<std::unique_ptr<metrics_server>> metrics_server::start(caf::actor_system& sys,
                                                              const std::string& host_port) {
  auto p = std::make_unique<impl>(sys);
  try {
    Poco::Net::SocketAddress address(host_port);
    if (!address.host().isLoopback())
      logging::warn("metrics",
                    "metrics endpoint " + host_port +
                        " is not a loopback address: anyone who can reach it can read the counters");
    Poco::Net::ServerSocket socket(address, 64);
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(false);  // one request per connection: the deadline is then per request
    params->setTimeout(Poco::Timespan(request_deadline.count(), 0));  // per read/write; the deadline is total
    params->setMaxThreads(kMaxThreads);
    params->setMaxQueued(kMaxQueued);
    auto* factory = new connection_factory(params, new handler_factory(*p), p->deadlines);
    p->server = std::make_unique<Poco::Net::TCPServer>(factory, p->pool, socket, params);
    p->server->start();
  } catch (const Poco::Exception& e) {
    return status::failure("metrics: cannot listen on '" + host_port + "': " + e.displayText());
  }
  auto server = std::unique_ptr<metrics_server>(new metrics_server(std::move(p)));
  logging::info("metrics", "serving Prometheus metrics on http://" +
                               host_port.substr(0, host_port.rfind(':')) + ":" +
                               std::to_string(server->port()) + "/metrics");
  return {std::move(server)};
}

metrics_server::metrics_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

metrics_server::~metrics_server() {
  // stop() ends accepting and drops queued connections; shutdown_all() aborts the ones being served (a
  // collection in progress is bounded by stage_timeout per stage); joinAll then waits for their threads, so
  // no thread touches the actor system afterwards.
  impl_->server->stop();
  impl_->deadlines.shutdown_all();
  impl_->pool.joinAll();
}

void metrics_server::set_supervisor(supervisor_actor supervisor) {
  std::lock_guard<std::mutex> guard(impl_->mutex);
  impl_->supervisor = std::move(supervisor);
}

uint16_t metrics_server::port() const {
  return impl_->server->socket().address().port();
}

}  // namespace spec_notify::metrics
