#include "actors/deliverer/http_sender.hpp"

#include <Poco/Buffer.h>
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <istream>
#include <map>
#include <mutex>
#include <thread>
#include <type_traits>

#include "config/url.hpp"

namespace spec_notify::deliverer {
namespace {

using clock = std::chrono::steady_clock;

constexpr size_t kBodyReadCap = 64 * 1024;
constexpr size_t kSnippetBytes = 512;
// Below the 5 s keep-alive timeout of Node and Apache, so we rarely race a server closing an idle connection.
constexpr auto kMaxIdle = std::chrono::seconds(4);

// Shuts a socket down at a deadline so that no blocking read or write can outlive the request timeout (Poco's
// own timeouts are per system call: a peer trickling one byte per second would never trip them). It works on
// a dup() of the descriptor, which keeps the underlying socket alive until disarm(): the shutdown can never
// hit an unrelated descriptor that reused the number after Poco closed its own.
class watchdog {
 public:
  watchdog() : thread_([this] { run(); }) {}
  ~watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;

  // Watches `fd` until disarm() (or the next arm(), which replaces it): at `deadline`, or at once after
  // cancel(), the socket is shut down. Armed on a fresh socket before connect() so that the TCP connect, the
  // TLS handshake, the request and the response all share the one deadline.
  void arm(int fd, clock::time_point deadline) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (fd_ >= 0) ::close(fd_);
    fd_ = ::dup(fd);
    deadline_ = cancelled_ ? clock::time_point{} : deadline;
    fired_ = false;  // attempt_fired_ stays: a reconnect after the deadline is still a timed-out attempt
    armed_ = fd_ >= 0;
    // The thread sleeps until waiting_until_. Wake it only for an earlier deadline (the first request after
    // an idle spell, a cancel, a shorter timeout); a later one it finds when it wakes for the old one. Waking
    // it for every request cost two context switches per delivery.
    if (deadline_ < waiting_until_) cv_.notify_one();
  }

  bool cancelled() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return cancelled_;
  }

  // From any thread: this and every later request end now, as if their deadline had passed (shutdown).
  void cancel() {
    std::lock_guard<std::mutex> lock(mutex_);
    cancelled_ = true;
    deadline_ = clock::time_point{};
    cv_.notify_one();
  }

  // Ends the attempt. Returns true when the deadline (or cancel()) shut one of its sockets down.
  bool disarm() {
    std::lock_guard<std::mutex> lock(mutex_);
    armed_ = false;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    const bool fired = attempt_fired_;
    attempt_fired_ = false;
    return fired;
  }

 private:
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
      if (!armed_ || fired_) {
        waiting_until_ = clock::time_point::max();
        cv_.wait(lock);
        continue;
      }
      waiting_until_ = deadline_;
      cv_.wait_until(lock, deadline_);
      if (armed_ && !fired_ && clock::now() >= deadline_) {
        ::shutdown(fd_, SHUT_RDWR);
        fired_ = attempt_fired_ = true;
      }
    }
  }

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false, armed_ = false, fired_ = false, attempt_fired_ = false, cancelled_ = false;
  int fd_ = -1;
  clock::time_point deadline_;
  clock::time_point waiting_until_ = clock::time_point::min();  // what the thread's current wait ends at
  std::thread thread_;  // last: starts after the members it uses exist
};

// A connect() refused by the endpoint policy: a failed attempt with its own error text (no traffic is sent).
struct forbidden_target : Poco::Net::NetException {
  explicit forbidden_target(const std::string& why) : Poco::Net::NetException(why) {}
};

// A proxy that answered the CONNECT of an https attempt with anything but 200 (no traffic reached the
// target).
struct proxy_refused : Poco::Net::NetException {
  explicit proxy_refused(const std::string& why) : Poco::Net::NetException(why) {}
};

// The deadline of the attempt in progress, shared by the sender and its sessions' connect().
struct attempt_clock {
  watchdog dog;
  clock::time_point deadline;
  bool allow_link_local = false;

  Poco::Timespan remaining() const {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(deadline - clock::now()).count();
    return Poco::Timespan(std::max<int64_t>(us, 1000));
  }
};

// Poco keeps reconnect() and mustReconnect() protected; the sender needs them to connect up front and to
// recognise a connection the server asked to close.
class session_handle {
 public:
  virtual ~session_handle() = default;
  virtual Poco::Net::HTTPClientSession& http() = 0;
  virtual void open() = 0;
  virtual bool must_reconnect() const = 0;
};

// Replaces Poco's connect() (also used by Poco's own reconnect-and-resend) so that the watchdog watches the
// socket from before the TCP connect: Poco's TLS handshake loop re-polls with the full receive timeout after
// every record fragment, so a peer dripping its ServerHello a byte at a time would otherwise hold the attempt
// for minutes. Here the handshake runs on an already watched socket and is cut at the attempt's deadline.
template <class Base>
class session_of final : public Base, public session_handle {
 public:
  // `context` is the TLS client context (null for plain HTTP); `args` go to Poco's session constructor.
  template <class... Args>
  session_of(attempt_clock& clock, Poco::Net::Context::Ptr context, Args&&... args)
      : Base(std::forward<Args>(args)...), clock_(clock), context_(std::move(context)) {}

  Poco::Net::HTTPClientSession& http() override { return *this; }
  void open() override { this->reconnect(); }
  bool must_reconnect() const override { return this->mustReconnect(); }

 protected:
  void connect(const Poco::Net::SocketAddress& address) override {
    if (clock::now() >= clock_.deadline || clock_.dog.cancelled())
      throw Poco::TimeoutException("attempt deadline passed before connecting");
    // The address DNS gave is the one checked and the one connected to: no second lookup to rebind.
    if (!clock_.allow_link_local) {
      auto why = config::forbidden_address_reason(address.addr());
      if (!why.empty()) throw forbidden_target(why + " (set allow_link_local = true to allow it)");
    }
    Poco::Net::StreamSocket tcp(address.family());
    clock_.dog.arm(tcp.impl()->sockfd(), clock_.deadline);
    tcp.connect(address, clock_.remaining());
    tcp.setNoDelay(true);
    tcp.setReceiveTimeout(clock_.remaining());
    tcp.setSendTimeout(clock_.remaining());
    if constexpr (std::is_same_v<Base, Poco::Net::HTTPSClientSession>) {
      // Through a proxy `address` is the proxy's: open a tunnel to the target first, on the same watched
      // socket, so the whole exchange shares the attempt's deadline.
      if (!this->getProxyHost().empty()) tcp = tunnel(tcp);
      // Handshake and peer verification (chain + host name) happen here, under the watchdog.
      this->attachSocket(Poco::Net::SecureStreamSocket::attach(tcp, this->getHost(), context_));
    } else {
      this->attachSocket(tcp);
    }
    this->socket().setReceiveTimeout(clock_.remaining());
    this->socket().setSendTimeout(clock_.remaining());
    // Like Poco's connect(): bytes left in the session buffer by an earlier failed exchange are dropped.
    Poco::Buffer<char> leftover(0);
    this->drainBuffer(leftover);
  }

 private:
  // CONNECT host:port over `tcp` (already connected to the proxy); returns the socket, now a byte pipe to
  // the target. Poco's own proxyConnect() would open a second, unwatched connection.
  Poco::Net::StreamSocket tunnel(const Poco::Net::StreamSocket& tcp) {
    const std::string& host = this->getHost();
    std::string authority = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                            std::to_string(this->getPort());
    Poco::Net::HTTPClientSession proxy(tcp);
    proxy.setTimeout(clock_.remaining());
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_CONNECT, authority,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Host", authority);
    if (!this->getProxyUsername().empty())
      Poco::Net::HTTPBasicCredentials(this->getProxyUsername(), this->getProxyPassword())
          .proxyAuthenticate(req);
    proxy.sendRequest(req);
    Poco::Net::HTTPResponse res;
    proxy.receiveResponse(res);
    if (res.getStatus() != Poco::Net::HTTPResponse::HTTP_OK)
      throw proxy_refused("proxy refused the CONNECT tunnel: HTTP " + std::to_string(res.getStatus()));
    return proxy.detachSocket();
  }

  attempt_clock& clock_;
  Poco::Net::Context::Ptr context_;  // null for plain HTTP
};

struct target {
  bool https = false;
  std::string host, path_and_query;
  uint16_t port = 0;
};

bool parse_target(const std::string& url, target& t, std::string& error) {
  try {
    Poco::URI uri(url);
    if (uri.getScheme() != "http" && uri.getScheme() != "https") {
      error = "unsupported URL scheme '" + uri.getScheme() + "'";
      return false;
    }
    if (uri.getHost().empty()) {
      error = "URL has no host";
      return false;
    }
    t.https = uri.getScheme() == "https";
    t.host = uri.getHost();
    t.port = uri.getPort();
    t.path_and_query = uri.getPathAndQuery();
    if (t.path_and_query.empty()) t.path_and_query = "/";
    return true;
  } catch (const Poco::Exception&) {
    error = "invalid URL";  // the URL itself is not echoed: it may carry a token
    return false;
  }
}

void init_ssl_once() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

std::string timeout_text(std::chrono::milliseconds timeout) {
  return "timeout after " + std::to_string(timeout.count()) + " ms";
}

// Poco's messages name addresses at most, never request data, so they are safe to keep after a short prefix.
std::string describe(const Poco::Exception& e, std::chrono::milliseconds timeout) {
  if (dynamic_cast<const forbidden_target*>(&e)) return "refused target: " + e.message();
  if (dynamic_cast<const proxy_refused*>(&e)) return e.message();
  if (dynamic_cast<const Poco::TimeoutException*>(&e)) return timeout_text(timeout);
  if (dynamic_cast<const Poco::Net::ConnectionRefusedException*>(&e)) return "connection refused";
  if (dynamic_cast<const Poco::Net::ConnectionResetException*>(&e)) return "connection reset by peer";
  if (dynamic_cast<const Poco::Net::ConnectionAbortedException*>(&e)) return "connection aborted";
  if (dynamic_cast<const Poco::Net::DNSException*>(&e)) return "DNS: " + e.message();
  if (dynamic_cast<const Poco::Net::SSLException*>(&e)) {
    const std::string& msg = e.message();
    if (msg.find("certificate verify failed") != std::string::npos) return "TLS: certificate verify failed";
    return "TLS: " + (msg.empty() ? e.displayText() : msg);
  }
  if (dynamic_cast<const Poco::Net::NoMessageException*>(&e)) return "connection closed without a response";
  if (dynamic_cast<const Poco::Net::MessageException*>(&e)) return "invalid HTTP response: " + e.message();
  return e.displayText();
}

// Reads at most ~kBodyReadCap bytes. True when the body ended cleanly inside the cap (the connection can then
// carry the next request); false when it was cut short or failed (the connection must be dropped).
bool read_capped(std::istream& in, std::string& snippet) {
  char buf[8192];
  size_t total = 0;
  for (;;) {
    in.read(buf, sizeof buf);
    const auto n = static_cast<size_t>(in.gcount());
    if (snippet.size() < kSnippetBytes) snippet.append(buf, std::min(n, kSnippetBytes - snippet.size()));
    total += n;
    if (in.eof()) return !in.bad();
    if (!in || total > kBodyReadCap) return false;
  }
}

}  // namespace

struct http_sender::impl {
  struct pooled {
    std::unique_ptr<session_handle> session;
    clock::time_point last_used;
  };

  attempt_clock attempt;  // first: the pooled sessions refer to it
  std::map<std::string, pooled> pool;
  std::map<std::string, Poco::Net::Context::Ptr> contexts;  // by CA file; loading CAs is costly
  uint64_t opened = 0;

  Poco::Net::Context::Ptr context_for(const std::string& ca_file) {
    auto it = contexts.find(ca_file);
    if (it != contexts.end()) return it->second;
    init_ssl_once();
    Poco::Net::Context::Params params;
    params.caLocation = ca_file;
    // For a client, STRICT verifies the chain exactly like RELAXED (OpenSSL ignores FAIL_IF_NO_PEER_CERT on
    // the client side), but it also makes Poco check the host name when the peer is on loopback: under
    // RELAXED, Poco skips the name check for any host resolving to 127.0.0.0/8 or ::1, so a certificate
    // issued for another name was accepted from a local endpoint (found by
    // tests/faults/tls_certificate_test.sh).
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    params.loadDefaultCAs = ca_file.empty();
    Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    ctx->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    contexts.emplace(ca_file, ctx);
    return ctx;
  }

  // A session ready to be (re)used for `t`. A pooled one is replaced when the server asked to close, when it
  // sat idle too long, or when its socket is readable (EOF or stray bytes) before we have sent anything.
  session_handle& checkout(const std::string& key, const target& t, const http_request& req) {
    const std::string& ca_file = req.ca_file;
    pooled& p = pool[key];
    if (p.session) {
      auto& s = p.session->http();
      bool fresh = s.connected() && !p.session->must_reconnect() && clock::now() - p.last_used < kMaxIdle;
      if (fresh) {
        try {
          fresh = !s.socket().poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ);
        } catch (const Poco::Exception&) {
          fresh = false;
        }
      }
      if (!fresh) p.session.reset();
    }
    if (!p.session) {
      if (t.https) {
        auto ctx = context_for(ca_file);
        p.session =
            std::make_unique<session_of<Poco::Net::HTTPSClientSession>>(attempt, ctx, t.host, t.port, ctx);
      } else {
        p.session =
            std::make_unique<session_of<Poco::Net::HTTPClientSession>>(attempt, nullptr, t.host, t.port);
      }
      if (!req.proxy_host.empty()) {
        // http: Poco sends absolute-URI requests with Proxy-Authorization; https: tunnel() above (Poco's
        // HTTPS session sends neither the prefix nor the credentials inside the tunnel).
        p.session->http().setProxy(req.proxy_host, req.proxy_port);
        if (!req.proxy_username.empty())
          p.session->http().setProxyCredentials(req.proxy_username, req.proxy_password);
      }
      p.session->http().setKeepAlive(true);
      // We judge idleness ourselves (kMaxIdle); Poco's own check would reconnect behind the watchdog's back.
      p.session->http().setKeepAliveTimeout(Poco::Timespan(24 * 3600, 0));
    }
    return *p.session;
  }

  http_response post(const http_request& req);
};

http_response http_sender::impl::post(const http_request& req) {
  const auto start = clock::now();
  attempt.deadline = start + req.timeout;
  attempt.allow_link_local = req.allow_link_local;
  http_response res;
  auto finish = [&] {
    res.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start).count();
    return res;
  };

  if (!req.proxy_error.empty()) {
    res.error = req.proxy_error;
    return finish();
  }
  target t;
  if (!parse_target(req.url, t, res.error)) return finish();
  const std::string key = (t.https ? "https://" : "http://") + t.host + ":" + std::to_string(t.port) + "|" +
                          (t.https ? req.ca_file : std::string()) + "|" + req.proxy_host + ":" +
                          std::to_string(req.proxy_port) + "|" + req.proxy_username;

  bool reusable = false;
  std::string failure;
  try {
    session_handle& handle = checkout(key, t, req);
    auto& s = handle.http();
    s.setTimeout(attempt.remaining(), attempt.remaining(), attempt.remaining());
    if (s.connected()) {
      attempt.dog.arm(s.socket().impl()->sockfd(), attempt.deadline);
    } else {
      handle.open();  // DNS, then connect() above: TCP connect + TLS handshake and verification, watched
      ++opened;
    }
    Poco::Net::HTTPRequest hreq(Poco::Net::HTTPRequest::HTTP_POST, t.path_and_query,
                                Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : req.headers) hreq.add(name, value);
    hreq.setContentLength(static_cast<std::streamsize>(req.body.size()));
    hreq.setKeepAlive(true);
    std::ostream& out = s.sendRequest(hreq);
    out.write(req.body.data(), static_cast<std::streamsize>(req.body.size()));

    Poco::Net::HTTPResponse hres;
    std::istream& in = s.receiveResponse(hres);  // rethrows a failure stored while sending
    res.status_code = static_cast<int>(hres.getStatus());
    res.retry_after = hres.get("Retry-After", "");
    reusable = read_capped(in, res.body_snippet) && !s.networkException();
  } catch (const Poco::Exception& e) {
    failure = describe(e, req.timeout);
  } catch (const std::exception& e) {
    failure = std::string("request failed: ") + e.what();
  }
  // Whatever the exception says (a TLS "unexpected EOF", a reset), an attempt whose socket the watchdog shut
  // down failed because of the deadline.
  const bool timed_out = attempt.dog.disarm();

  // Once a status line arrived the receiver has answered: keep its status even if the body was cut short.
  if (res.status_code == 0) res.error = timed_out ? timeout_text(req.timeout) : failure;
  if (reusable && !timed_out && res.status_code != 0) {
    pool[key].last_used = clock::now();
  } else {
    pool.erase(key);
  }
  return finish();
}

http_sender::http_sender() : impl_(std::make_unique<impl>()) {}
http_sender::~http_sender() = default;

http_response http_sender::post(const http_request& request) {
  return impl_->post(request);
}

uint64_t http_sender::connections_opened() const {
  return impl_->opened;
}

}  // namespace spec_notify::deliverer

namespace spec_notify::deliverer {

void http_sender::cancel() {
  impl_->attempt.dog.cancel();
}

}  // namespace spec_notify::deliverer
