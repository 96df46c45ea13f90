#pragma once
// Blocking HTTP(S) POST for webhook attempts (Poco underneath, hidden behind a pimpl).
//
// Who calls it: one deliverer worker thread per instance (never a CAF scheduler thread: every call blocks for
// up to `timeout`). Not thread-safe: one instance per worker thread.
//
// Behaviour the deliverer relies on:
// - Keep-alive: one connection per scheme+host+port(+CA file) is reused across calls. A pooled connection
// that
//   the peer has closed (readable/EOF before sending), or that sat idle for more than 4 s, is replaced before
//   the request is written. If the very first write on a reused connection fails, Poco reconnects once and
//   resends (nothing of that request reached the peer). Once any byte may have been received by the peer, a
//   failure is reported (status 0) and never resent here: retrying is the deliverer's decision.
// - No redirects: a 3xx comes back as-is.
// - The response body is read up to 64 KiB; the rest is not read and the connection is dropped, so a huge or
//   endless body cannot exhaust memory. `body_snippet` keeps the first 512 bytes.
// - `timeout` is ONE deadline per attempt covering TCP connect + TLS handshake + request + response (headers
//   and body): a watchdog watches the socket from before the TCP connect and shuts it down at the deadline,
//   so a peer dripping its handshake or its response a byte at a time fails the attempt at `timeout` (Poco's
//   own timeouts are per system call). Such an attempt reports "timeout after <timeout> ms". DNS resolution
//   is not covered (getaddrinfo cannot be interrupted; it is bounded only by the resolver's own timeouts).
// - HTTPS verifies the peer (OpenSSL chain + host name, TLS >= 1.2) against the system CAs, or only against
//   `ca_file` when set. Verification is never disabled.
// - `error` never contains secrets, header values, the URL path or query (webhook URLs often embed tokens).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace spec_notify::deliverer {

struct http_request {
  std::string url;                                           // http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given (content-type, signatures, ...)
  std::string body;
  std::chrono::milliseconds timeout{10000};
  std::string ca_file;  // PEM bundle; "" = system default CAs
  // Link-local / cloud-metadata addresses are refused at connect time (after DNS, so a name that resolves
  // there is caught too) unless the subscription allows them (config::forbidden_address_reason).
  bool allow_link_local = false;
  // Outbound proxy ("" = direct): http through it with absolute-URI requests, https through a CONNECT tunnel
  // (the TLS handshake and verification still run against the target's name). The credentials, from the
  // environment only, go to the proxy alone (Proxy-Authorization, Basic) and never into `error`.
  std::string proxy_host;
  uint16_t proxy_port = 0;
  std::string proxy_username, proxy_password;
  std::string proxy_error;  // non-empty: the configured proxy is unusable; fail with this, never go direct
};

struct http_response {
  int status_code = 0;  // 0 = no response
  std::string error;    // "" when a response (status line + headers) arrived; else e.g.
                        // "timeout after 10000 ms", "connection refused", "TLS: certificate verify failed"
  std::string retry_after;   // raw Retry-After header value, "" if absent
  int64_t latency_ms = 0;    // from the call until the body was read (or the failure)
  std::string body_snippet;  // first <= 512 bytes of the response body
};

class http_sender {
 public:
  http_sender();
  ~http_sender();
  http_sender(const http_sender&) = delete;
  http_sender& operator=(const http_sender&) = delete;

  // Never throws for network, TLS or HTTP problems: they come back in `error`.
  http_response post(const http_request& request);

  // Thread-safe (the one member that is): ends the request in progress and every later one at once, as if
  // their timeout had passed, in whatever phase it is (connect, TLS handshake, request, response; not DNS).
  // Used at shutdown so a blackholed or dripping endpoint cannot hold the process.
  void cancel();

  // Connections opened so far (tests use it to observe keep-alive reuse).
  uint64_t connections_opened() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace spec_notify::deliverer
