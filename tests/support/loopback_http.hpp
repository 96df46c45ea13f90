#pragma once
// A real Poco HTTP server on 127.0.0.1 (ephemeral port) for actor tests that need a webhook receiver. It
// answers every request with `status` and records it; wait_for() blocks on a condition variable until the
// recorded requests satisfy a predicate or a deadline passes (no polling).
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace spec_notify::testing {

class loopback_http {
 public:
  struct seen {
    std::string path, body, webhook_id;
  };

  loopback_http()
      : server_(new factory(*this), Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)),
                new Poco::Net::HTTPServerParams) {
    server_.start();
  }
  ~loopback_http() { server_.stopAll(true); }

  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
  }

  // True once `done(requests so far)` holds; false when `deadline` passed first.
  bool wait_for(const std::function<bool(const std::vector<seen>&)>& done,
                std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, deadline, [&] { return done(seen_); });
  }
  // Waits for a request whose body contains `text`.
  bool wait_for_body(const std::string& text, std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    return wait_for(
        [&](const std::vector<seen>& all) {
          for (const auto& s : all)
            if (s.body.find(text) != std::string::npos) return true;
          return false;
        },
        deadline);
  }
  std::vector<seen> requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }

  std::atomic<int> status{200};  // what every request is answered with

 private:
  struct handler : Poco::Net::HTTPRequestHandler {
    explicit handler(loopback_http& s) : s_(s) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
      seen one{req.getURI(), {}, req.get("webhook-id", "")};
      Poco::StreamCopier::copyToString(req.stream(), one.body);
      res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(s_.status.load()));
      res.setContentLength(0);
      res.send();
      // Recorded after the answer went out: a waiter woken here sees the deliverer's result soon after.
      std::lock_guard<std::mutex> lock(s_.mutex_);
      s_.seen_.push_back(std::move(one));
      s_.cv_.notify_all();
    }
    loopback_http& s_;
  };
  struct factory : Poco::Net::HTTPRequestHandlerFactory {
    explicit factory(loopback_http& s) : s_(s) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new handler(s_);
    }
    loopback_http& s_;
  };

  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<seen> seen_;
  Poco::Net::HTTPServer server_;
};

}  // namespace spec_notify::testing
