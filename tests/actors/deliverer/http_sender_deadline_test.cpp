#define BOOST_TEST_MODULE http_sender_deadline
// The per-attempt deadline covers the TLS handshake too (issue 11 item 3): a real loopback socket whose peer
// answers the ClientHello with a TLS record that it sends one byte at a time. OpenSSL waits for the whole
// record, and Poco's handshake loop re-polls with the full receive timeout after every byte, so only an
// overall deadline (the watchdog shutting the socket down) ends the attempt.
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "actors/deliverer/http_sender.hpp"

using namespace spec_notify::deliverer;
using namespace std::chrono_literals;

namespace {

using steady = std::chrono::steady_clock;

int64_t ms_since(steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - t).count();
}

// Accepts connections on 127.0.0.1; on each, reads the ClientHello, then drips a 16 KiB handshake record
// (header first) one byte every `interval` until the client goes away.
class handshake_dripper {
 public:
  explicit handshake_dripper(std::chrono::milliseconds interval)
      : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)), interval_(interval), thread_([this] { run(); }) {}
  ~handshake_dripper() {
    stop_ = true;
    thread_.join();
  }

  std::string url() const { return "https://127.0.0.1:" + std::to_string(socket_.address().port()) + "/h"; }

  // Blocks until a client's hello arrived (up to 5 s); false if none did.
  bool wait_for_hello() {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, 5s, [this] { return hellos_ > 0; });
  }

  int bytes_dripped() const { return dripped_; }

 private:
  void run() {
    while (!stop_) {
      if (!socket_.poll(Poco::Timespan(0, 20000), Poco::Net::Socket::SELECT_READ)) continue;
      Poco::Net::StreamSocket client = socket_.acceptConnection();
      serve(client);
    }
  }

  void serve(Poco::Net::StreamSocket& client) {
    char buf[4096];
    try {
      client.setReceiveTimeout(Poco::Timespan(5, 0));
      if (client.receiveBytes(buf, sizeof buf) <= 0) return;  // the ClientHello
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ++hellos_;
      }
      cv_.notify_all();
      // Handshake record, TLS 1.2, 16 KiB long: OpenSSL reads on until it has all of it.
      const unsigned char header[] = {0x16, 0x03, 0x03, 0x40, 0x00};
      for (int i = 0; !stop_; ++i) {
        const char byte = i < 5 ? static_cast<char>(header[i]) : 0x02;
        client.sendBytes(&byte, 1);
        ++dripped_;
        // Sleeping here is the fault being simulated, not a wait for the code under test.
        if (client.poll(Poco::Timespan(interval_.count() * 1000), Poco::Net::Socket::SELECT_READ)) {
          if (client.receiveBytes(buf, sizeof buf) <= 0) return;  // the client closed: cut
        }
      }
    } catch (const Poco::Exception&) {
      // reset by the client: cut
    }
  }

  Poco::Net::ServerSocket socket_;
  std::chrono::milliseconds interval_;
  std::atomic<bool> stop_{false};
  std::atomic<int> dripped_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
  int hellos_ = 0;
  std::thread thread_;  // last: starts after the members it uses exist
};

http_request request_to(const std::string& url, std::chrono::milliseconds timeout) {
  http_request r;
  r.url = url;
  r.body = "{}";
  r.headers = {{"Content-Type", "application/json"}};
  r.timeout = timeout;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_tls_handshake_dripped_byte_by_byte_is_cut_at_the_timeout) {
  handshake_dripper server(200ms);
  http_sender sender;
  const auto start = steady::now();
  const http_response r = sender.post(request_to(server.url(), 1000ms));
  const int64_t elapsed = ms_since(start);
  BOOST_TEST(r.status_code == 0);
  BOOST_TEST(r.error == "timeout after 1000 ms");
  BOOST_TEST(elapsed >= 900);
  BOOST_TEST(elapsed < 4000);  // timeout + 3 s margin; without the deadline it waits for 16 KiB at 5 bytes/s
  BOOST_TEST(server.bytes_dripped() >= 3);  // the handshake really was in progress
}

BOOST_AUTO_TEST_CASE(the_next_attempt_after_a_cut_handshake_gets_its_own_full_deadline) {
  handshake_dripper server(200ms);
  http_sender sender;
  for (int i = 0; i < 2; ++i) {
    const auto start = steady::now();
    const http_response r = sender.post(request_to(server.url(), 700ms));
    const int64_t elapsed = ms_since(start);
    BOOST_TEST(r.error == "timeout after 700 ms", "attempt " << i);
    BOOST_TEST(elapsed >= 600, "attempt " << i);
    BOOST_TEST(elapsed < 3700, "attempt " << i);
  }
}

BOOST_AUTO_TEST_CASE(cancel_ends_a_request_stuck_in_the_tls_handshake_at_once) {
  // Shutdown path: the deliverer calls cancel() at its drain deadline; a 60 s timeout must not matter.
  handshake_dripper server(200ms);
  http_sender sender;
  http_response r;
  std::atomic<int64_t> returned_at_ms{-1};
  const auto start = steady::now();
  std::thread worker([&] {
    r = sender.post(request_to(server.url(), 60s));
    returned_at_ms = ms_since(start);
  });
  BOOST_REQUIRE(server.wait_for_hello());
  const int64_t cancelled_at = ms_since(start);
  sender.cancel();
  worker.join();
  BOOST_TEST(returned_at_ms.load() - cancelled_at < 2000);
  BOOST_TEST(r.status_code == 0);
  BOOST_TEST(r.error == "timeout after 60000 ms");
}
