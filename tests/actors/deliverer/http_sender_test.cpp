#define BOOST_TEST_MODULE http_sender
#include "actors/deliverer/http_sender.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <boost/test/unit_test.hpp>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/actors/deliverer/test_certificate.hpp"

using namespace spec_notify::deliverer;
using namespace std::chrono_literals;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace {

using route = std::function<void(HTTPServerRequest&, HTTPServerResponse&)>;

class route_handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit route_handler(route r) : r_(std::move(r)) {}
  void handleRequest(HTTPServerRequest& req, HTTPServerResponse& res) override { r_(req, res); }

 private:
  route r_;
};

// A real Poco HTTP(S) server on 127.0.0.1 with one handler per path. Every request is recorded (path, client
// port, headers, body) before its handler runs.
class loopback_server {
 public:
  struct seen {
    std::string path, body;
    uint16_t client_port;
    std::map<std::string, std::string> headers;
  };

  loopback_server(std::map<std::string, route> routes, const Poco::Net::ServerSocket& socket)
      : routes_(std::move(routes)), server_(new factory(*this), socket, params()) {
    server_.start();
  }
  explicit loopback_server(std::map<std::string, route> routes)
      : loopback_server(std::move(routes),
                        Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0))) {}
  ~loopback_server() {
    {
      std::lock_guard<std::mutex> lock(stop_mutex_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    server_.stopAll(true);
  }

  std::string url(const std::string& path, const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(server_.port()) + path;
  }
  std::vector<seen> requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }
  std::set<uint16_t> client_ports() {
    std::set<uint16_t> out;
    for (const auto& s : requests()) out.insert(s.client_port);
    return out;
  }

  // Server-side pacing: waits up to `pause` and returns false once the server is stopping (at once, not at
  // the end of the pause).
  bool pace(std::chrono::milliseconds pause) {
    std::unique_lock<std::mutex> lock(stop_mutex_);
    return !stop_cv_.wait_for(lock, pause, [this] { return stopping_; });
  }

 private:
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mutex_

  struct factory : Poco::Net::HTTPRequestHandlerFactory {
    explicit factory(loopback_server& s) : s_(s) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
      return new route_handler(
          [this](HTTPServerRequest& req, HTTPServerResponse& res) { s_.dispatch(req, res); });
    }
    loopback_server& s_;
  };

  static Poco::Net::HTTPServerParams::Ptr params() {
    Poco::Net::HTTPServerParams::Ptr p = new Poco::Net::HTTPServerParams;
    p->setKeepAlive(true);
    p->setMaxThreads(8);
    return p;
  }

  void dispatch(HTTPServerRequest& req, HTTPServerResponse& res) {
    seen s{req.getURI(), {}, req.clientAddress().port(), {}};
    Poco::StreamCopier::copyToString(req.stream(), s.body);
    for (const auto& [k, v] : req) s.headers[Poco::toLower(k)] = v;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      seen_.push_back(s);
    }
    auto it = routes_.find(req.getURI());
    if (it != routes_.end()) return it->second(req, res);
    res.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
    res.setContentLength(0);
    res.send();
  }

  std::map<std::string, route> routes_;
  std::mutex mutex_;
  std::vector<seen> seen_;
  Poco::Net::HTTPServer server_;
};

void reply(HTTPServerResponse& res, int status, const std::string& body) {
  res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  res.setContentLength(static_cast<std::streamsize>(body.size()));
  res.send() << body;
}

http_request request_to(const std::string& url, std::chrono::milliseconds timeout = 5000ms) {
  http_request r;
  r.url = url;
  r.body = R"({"hello":"world"})";
  r.headers = {{"content-type", "application/json"}, {"webhook-id", "msg_test"}};
  r.timeout = timeout;
  return r;
}

int64_t ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

BOOST_AUTO_TEST_CASE(post_delivers_headers_and_body_and_reuses_one_connection) {
  loopback_server server({{"/ok", [](auto&, auto& res) { reply(res, 200, "fine"); }}});
  http_sender sender;
  for (int i = 0; i < 3; ++i) {
    const http_response r = sender.post(request_to(server.url("/ok")));
    BOOST_TEST(r.status_code == 200);
    BOOST_TEST(r.error == "");
    BOOST_TEST(r.body_snippet == "fine");
  }
  const auto seen = server.requests();
  BOOST_REQUIRE(seen.size() == 3u);
  BOOST_TEST(seen[0].body == R"({"hello":"world"})");
  BOOST_TEST(seen[0].headers.at("content-type") == "application/json");
  BOOST_TEST(seen[0].headers.at("webhook-id") == "msg_test");
  BOOST_TEST(server.client_ports().size() == 1u);
  BOOST_TEST(sender.connections_opened() == 1u);
}

BOOST_AUTO_TEST_CASE(redirects_are_returned_not_followed) {
  loopback_server server({{"/moved",
                           [](auto&, auto& res) {
                             res.set("Location", "/ok");
                             reply(res, 302, "");
                           }},
                          {"/ok", [](auto&, auto& res) { reply(res, 200, ""); }}});
  http_sender sender;
  const http_response r = sender.post(request_to(server.url("/moved")));
  BOOST_TEST(r.status_code == 302);
  BOOST_TEST(r.error == "");
  BOOST_TEST(server.requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(retry_after_header_is_reported) {
  loopback_server server({{"/busy", [](auto&, auto& res) {
                             res.set("Retry-After", "120");
                             reply(res, 503, "busy");
                           }}});
  http_sender sender;
  const http_response r = sender.post(request_to(server.url("/busy")));
  BOOST_TEST(r.status_code == 503);
  BOOST_TEST(r.retry_after == "120");
}

BOOST_AUTO_TEST_CASE(a_server_that_never_answers_times_out_on_time) {
  // Listening but never accepting: the kernel completes the handshake, the request is sent, no byte comes
  // back.
  Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0));
  http_sender sender;
  const auto start = std::chrono::steady_clock::now();
  const http_response r =
      sender.post(request_to("http://127.0.0.1:" + std::to_string(silent.address().port()) + "/", 300ms));
  const int64_t elapsed = ms_since(start);
  BOOST_TEST(r.status_code == 0);
  BOOST_TEST(r.error == "timeout after 300 ms");
  BOOST_TEST(elapsed >= 290);
  BOOST_TEST(elapsed < 2000);
}

BOOST_AUTO_TEST_CASE(a_slow_loris_body_cannot_outlast_the_timeout) {
  loopback_server* self = nullptr;
  loopback_server server({{"/drip", [&self](auto&, auto& res) {
                             res.setContentLength(1 << 20);
                             std::ostream& out = res.send();
                             // Server pacing, one byte per 20 ms, until the client gives up or the test ends.
                             do {
                               out << 'x' << std::flush;
                             } while (out && self->pace(20ms));
                           }}});
  self = &server;
  http_sender sender;
  const auto start = std::chrono::steady_clock::now();
  const http_response r = sender.post(request_to(server.url("/drip"), 300ms));
  const int64_t elapsed = ms_since(start);
  BOOST_TEST(r.status_code == 200);  // the receiver did answer; only its body was cut short
  BOOST_TEST(!r.body_snippet.empty());
  BOOST_TEST(r.body_snippet.size() < 100u);
  BOOST_TEST(elapsed < 2000);
  BOOST_TEST(r.latency_ms < 2000);
}

BOOST_AUTO_TEST_CASE(connection_refused_is_reported_without_a_status) {
  uint16_t port = 0;
  {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = probe.address().port();
  }  // closed again: nothing listens there now
  http_sender sender;
  const http_response r = sender.post(request_to("http://127.0.0.1:" + std::to_string(port) + "/"));
  BOOST_TEST(r.status_code == 0);
  BOOST_TEST(r.error == "connection refused");
}

BOOST_AUTO_TEST_CASE(a_huge_response_body_is_capped_and_the_connection_dropped) {
  loopback_server server({{"/huge",
                           [](auto&, auto& res) {
                             const std::string chunk(64 * 1024, 'z');
                             res.setContentLength(64 * 1024 * 256);  // 16 MiB
                             std::ostream& out = res.send();
                             for (int i = 0; i < 256 && out; ++i) out << chunk;
                           }},
                          {"/ok", [](auto&, auto& res) { reply(res, 200, "ok"); }}});
  http_sender sender;
  const http_response r = sender.post(request_to(server.url("/huge")));
  BOOST_TEST(r.status_code == 200);
  BOOST_TEST(r.error == "");
  BOOST_TEST(r.body_snippet == std::string(512, 'z'));
  // The rest was not drained: the next request needs a fresh connection.
  BOOST_TEST(sender.post(request_to(server.url("/ok"))).status_code == 200);
  BOOST_TEST(sender.connections_opened() == 2u);
}

BOOST_AUTO_TEST_CASE(a_keep_alive_connection_closed_by_the_peer_is_replaced_before_sending) {
  // A bare server that answers one request per connection with a keep-alive response, then closes.
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
  std::mutex m;
  std::condition_variable cv;
  int closed = 0;
  std::thread peer([&] {
    for (int i = 0; i < 2; ++i) {
      Poco::Net::StreamSocket conn = listener.acceptConnection();
      std::string in;
      char buf[1024];
      while (in.find("world\"}") == std::string::npos) {
        const int n = conn.receiveBytes(buf, sizeof buf);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
      }
      const std::string out = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok";
      conn.sendBytes(out.data(), static_cast<int>(out.size()));
      conn.close();
      std::lock_guard<std::mutex> lock(m);
      ++closed;
      cv.notify_all();
    }
  });
  http_sender sender;
  const std::string url = "http://127.0.0.1:" + std::to_string(listener.address().port()) + "/";
  BOOST_TEST(sender.post(request_to(url)).status_code == 200);
  {
    std::unique_lock<std::mutex> lock(m);
    BOOST_REQUIRE(cv.wait_for(lock, 5s, [&] { return closed == 1; }));
  }
  const http_response second = sender.post(request_to(url));
  BOOST_TEST(second.status_code == 200);
  BOOST_TEST(second.error == "");
  BOOST_TEST(sender.connections_opened() == 2u);
  peer.join();
}

BOOST_AUTO_TEST_CASE(invalid_urls_are_rejected_without_echoing_them) {
  http_sender sender;
  http_response r = sender.post(request_to("ftp://example.invalid/secret-token"));
  BOOST_TEST(r.status_code == 0);
  BOOST_TEST(r.error.find("secret-token") == std::string::npos);
  BOOST_TEST(!r.error.empty());
  r = sender.post(request_to("http:///secret-token"));
  BOOST_TEST(r.status_code == 0);
  BOOST_TEST(r.error.find("secret-token") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(tls_to_a_self_signed_server_fails_verification_unless_its_ca_is_given) {
  Poco::Net::initializeSSL();
  const test_certificate cert = make_self_signed_certificate();
  Poco::Net::Context::Params p;
  p.privateKeyFile = cert.key_file;
  p.certificateFile = cert.cert_file;
  p.verificationMode = Poco::Net::Context::VERIFY_NONE;  // server side: no client certificates
  Poco::Net::Context::Ptr server_ctx = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, p);
  {
    loopback_server server(
        {{"/ok", [](auto&, auto& res) { reply(res, 200, "secure"); }}},
        Poco::Net::SecureServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, server_ctx));
    http_sender sender;
    const http_response r = sender.post(request_to(server.url("/ok", "https")));
    BOOST_TEST(r.status_code == 0);
    BOOST_TEST_MESSAGE("untrusted server: " << r.error);
    BOOST_TEST(r.error.rfind("TLS: ", 0) == 0u, r.error);
    BOOST_TEST(server.requests().empty());

    http_request trusted = request_to(server.url("/ok", "https"));
    trusted.ca_file = cert.cert_file;
    for (int i = 0; i < 2; ++i) {
      const http_response ok = sender.post(trusted);
      BOOST_TEST(ok.status_code == 200, ok.error);
      BOOST_TEST(ok.body_snippet == "secure");
    }
    BOOST_TEST(server.requests().size() == 2u);
    BOOST_TEST(server.client_ports().size() == 1u);  // keep-alive works over TLS too
  }
  remove_certificate(cert);
}
