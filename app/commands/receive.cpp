// `spec-notify receive`: a verifying webhook receiver for tests and demos. One JSON line per request (to
// --out or stdout), written before the response is sent, so a sender that saw the response can read the line.
// Verification, like the official libraries: --secret-env = Standard Webhooks (what `standardwebhooks`
// accepts),
// --github-secret-env = x-hub-signature-256 (what @octokit/webhooks-methods accepts); a request passes when
// every scheme configured here verifies, each with any of its current secrets (rotation).
// Fault injection: --fail N, --status CODE, --retry-after, --delay. Never prints secrets or signature header
// values. Exits 0 on SIGTERM/SIGINT or after --max-requests; 2 on usage errors; 1 when it cannot listen or
// write.
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>

#include "actors/deliverer/signature.hpp"
#include "app/cli.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/json_body.hpp"

namespace spec_notify::app {
namespace {

constexpr size_t kMaxBody = 1024 * 1024;

const std::vector<option_spec> kSpecs = {
    {"listen", true, false,
     "HOST:PORT to listen on (required; loopback only unless --allow-remote; port 0 = any)"},
    {"allow-remote", false, false, "allow a non-loopback --listen address"},
    {"secret-env", true, false,
     "env var holding Standard Webhooks secrets (whsec_ optional; space-separated, any may match): verify "
     "webhook-signature, answer 401 on failure"},
    {"github-secret-env", true, false,
     "env var(s), comma-separated (VAR or NEW,OLD), each holding ONE GitHub-style secret taken whole (spaces "
     "kept): require x-hub-signature-256 to match one of them (or a --secret-env secret), else 401"},
    {"out", true, false, "append one JSON line per request to FILE (default: stdout)"},
    {"fail", true, false, "answer the first N requests with 500"},
    {"status", true, false, "answer every (other) request with CODE, e.g. 410 or 503"},
    {"retry-after", true, false, "Retry-After header value sent with 429 and 503 answers"},
    {"delay", true, false, "wait MS milliseconds before answering"},
    {"ready-file", true, false, "write the bound port to FILE once listening"},
    {"max-requests", true, false, "exit 0 after answering N requests"},
    {"help", false, false, "show this help"},
};

struct receive_options {
  Poco::Net::SocketAddress listen;
  bool verify = false;
  std::vector<std::string> secrets;         // Standard Webhooks; empty = that scheme is not required
  std::vector<std::string> github_secrets;  // GitHub-style; empty = x-hub-signature-256 is only reported
  std::string out_file, ready_file, retry_after;
  long fail = 0, status = 0, delay_ms = 0, max_requests = 0;
};

bool parse_count(const parsed_args& a, const std::string& name, long lo, long hi, long& out,
                 std::string& err) {
  if (!a.has(name)) return true;
  const std::string v = a.get(name);
  char* end = nullptr;
  errno = 0;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0 || n < lo || n > hi) {
    err = "--" + name + " needs an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    return false;
  }
  out = n;
  return true;
}

// Every secret must be one the official libraries would accept: a typo must not silently leave only the
// other secrets in force.
bool read_standard_secrets(const std::string& var, std::vector<std::string>& out, std::string& err) {
  const char* value = std::getenv(var.c_str());
  if (!value || !*value) {
    err = "--secret-env: environment variable " + var + " is not set";
    return false;
  }
  out = deliverer::split_secrets(value);
  std::string key;
  for (size_t i = 0; i < out.size(); ++i)
    if (!deliverer::decode_standard_secret(out[i], key)) {
      err = "--secret-env: secret " + std::to_string(i + 1) + " of " + std::to_string(out.size()) + " in " +
            var + " is not a Standard Webhooks secret (base64, optionally prefixed with whsec_)";
      return false;
    }
  if (out.empty()) err = "--secret-env: " + var + " holds no secret";
  return !out.empty();
}

// "VAR" or "NEW,OLD": each variable holds one secret, used byte for byte.
bool read_github_secrets(const std::string& vars, std::vector<std::string>& out, std::string& err) {
  size_t pos = 0;
  while (pos <= vars.size()) {
    size_t end = vars.find(',', pos);
    if (end == std::string::npos) end = vars.size();
    const std::string var = vars.substr(pos, end - pos);
    pos = end + 1;
    const char* value = var.empty() ? nullptr : std::getenv(var.c_str());
    if (!value || !*value) {
      err = "--github-secret-env: environment variable '" + var + "' is not set or empty";
      return false;
    }
    out.emplace_back(value);
  }
  return true;
}

bool build_options(const parsed_args& a, receive_options& o, std::string& err) {
  if (!a.positional.empty()) {
    err = "unexpected argument '" + a.positional.front() + "'";
    return false;
  }
  if (!a.has("listen")) {
    err = "--listen HOST:PORT is required (e.g. --listen 127.0.0.1:8080, or port 0 with --ready-file)";
    return false;
  }
  try {
    o.listen = Poco::Net::SocketAddress(a.get("listen"));
  } catch (const Poco::Exception& e) {
    err = "--listen: cannot use '" + a.get("listen") + "': " + e.message();
    return false;
  }
  if (!o.listen.host().isLoopback() && !a.has("allow-remote")) {
    err =
        "--listen " + o.listen.toString() + " is not a loopback address (add --allow-remote to accept that)";
    return false;
  }
  if (!parse_count(a, "fail", 0, 1000000000, o.fail, err) ||
      !parse_count(a, "status", 100, 599, o.status, err) ||
      !parse_count(a, "delay", 0, 3600000, o.delay_ms, err) ||
      !parse_count(a, "max-requests", 1, 1000000000, o.max_requests, err))
    return false;
  if (a.has("secret-env") && !read_standard_secrets(a.get("secret-env"), o.secrets, err)) return false;
  if (a.has("github-secret-env") && !read_github_secrets(a.get("github-secret-env"), o.github_secrets, err))
    return false;
  o.verify = !o.secrets.empty() || !o.github_secrets.empty();
  o.out_file = a.get("out");
  o.ready_file = a.get("ready-file");
  o.retry_after = a.get("retry-after");
  return true;
}

std::string utc_now_iso8601() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const time_t secs = static_cast<time_t>(ms / 1000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

// A header as a JSON value: absent -> null, all digits -> number, else string.
Poco::Dynamic::Var header_value(const Poco::Net::HTTPServerRequest& req, const std::string& name,
                                bool numeric) {
  if (!req.has(name)) return Poco::Dynamic::Var();
  const std::string& v = req.get(name);
  if (numeric && !v.empty() && v.size() < 19 && v.find_first_not_of("0123456789") == std::string::npos)
    return Poco::Int64(std::stoll(v));
  return v;
}

// State shared by the server's handler threads and the waiting main thread.
class receiver {
 public:
  receiver(receive_options o, std::ostream& out) : opts_(std::move(o)), out_(out) {}

  void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res);

  // Wakes handlers waiting out --delay, so shutdown is not held up by them.
  void stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    cv_.notify_all();
  }

 private:
  bool read_body(Poco::Net::HTTPServerRequest& req, std::string& body);
  int decide(long n, const Poco::Dynamic::Var& verified, const Poco::Dynamic::Var& github_verified) const;
  void verify(const Poco::Net::HTTPServerRequest& req, const std::string& body, Poco::Dynamic::Var& verified,
              Poco::Dynamic::Var& github_verified) const;

  const receive_options opts_;
  std::ostream& out_;
  std::mutex out_mutex_, mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::atomic<long> count_{0};
};

// Reads (and throws away) what is left of an oversized body, up to a bound, so the sender sees our 413 rather
// than a connection reset in the middle of its upload. Memory stays bounded: nothing is kept.
static void discard_rest(std::istream& in) {
  constexpr size_t kMaxDiscard = 64 * 1024 * 1024;
  char buf[8192];
  for (size_t seen = 0; seen < kMaxDiscard && (in.read(buf, sizeof buf) || in.gcount() > 0);)
    seen += static_cast<size_t>(in.gcount());
}

bool receiver::read_body(Poco::Net::HTTPServerRequest& req, std::string& body) {
  std::istream& in = req.stream();
  if (req.hasContentLength() && req.getContentLength64() > static_cast<Poco::Int64>(kMaxBody)) {
    discard_rest(in);
    return false;
  }
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    body.append(buf, static_cast<size_t>(in.gcount()));
    if (body.size() > kMaxBody) {
      discard_rest(in);
      return false;
    }
  }
  return true;
}

// Each scheme is checked against every secret configured for it; the GitHub header also against the
// --secret-env secrets (a sender without github_secret_env keys it with a whsec_ secret's text). Only the
// schemes configured here decide: a Standard-only receiver reports the GitHub header but, like the
// `standardwebhooks` library, does not depend on it.
void receiver::verify(const Poco::Net::HTTPServerRequest& req, const std::string& body,
                      Poco::Dynamic::Var& verified, Poco::Dynamic::Var& github_verified) const {
  if (!opts_.secrets.empty()) {
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    verified = deliverer::verify_standard(opts_.secrets, req.get("webhook-id", ""),
                                          req.get("webhook-timestamp", ""), req.get("webhook-signature", ""),
                                          body, now) == deliverer::verify_result::ok;
  }
  if (req.has("x-hub-signature-256") || !opts_.github_secrets.empty()) {
    std::vector<std::string> candidates = opts_.github_secrets;
    candidates.insert(candidates.end(), opts_.secrets.begin(), opts_.secrets.end());
    github_verified = deliverer::verify_github(candidates, req.get("x-hub-signature-256", ""), body);
  }
}

int receiver::decide(long n, const Poco::Dynamic::Var& verified,
                     const Poco::Dynamic::Var& github_verified) const {
  const bool rejected = (!verified.isEmpty() && !verified.extract<bool>()) ||
                        (!opts_.github_secrets.empty() && !github_verified.extract<bool>());
  if (rejected) return 401;
  if (n <= opts_.fail) return 500;
  if (opts_.status != 0) return static_cast<int>(opts_.status);
  return 200;
}

void receiver::handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
  const long n = ++count_;
  const std::string received_at = utc_now_iso8601();
  std::string body;
  const bool fits = read_body(req, body);

  Poco::Dynamic::Var verified, github_verified;  // empty = null = not checked
  if (fits && opts_.verify) verify(req, body, verified, github_verified);
  const int status = fits ? decide(n, verified, github_verified) : 413;

  Poco::JSON::Object line(Poco::JSON_PRESERVE_KEY_ORDER);
  line.set("received_at", received_at);
  line.set("method", req.getMethod());
  line.set("path", req.getURI());
  line.set("webhook_id", header_value(req, "webhook-id", false));
  line.set("webhook_timestamp", header_value(req, "webhook-timestamp", true));
  line.set("event", header_value(req, "x-spec-notify-event", false));
  line.set("attempt", header_value(req, "x-spec-notify-attempt", true));
  line.set("verified", verified);
  line.set("github_verified", github_verified);
  line.set("status", status);
  line.set("body", fits ? json_body(body) : Poco::Dynamic::Var());
  std::ostringstream text;
  line.stringify(text);
  {
    std::lock_guard<std::mutex> lock(out_mutex_);
    out_ << text.str() << '\n' << std::flush;
  }

  if (opts_.delay_ms > 0) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_for(lock, std::chrono::milliseconds(opts_.delay_ms), [this] { return stopping_; });
  }
  const bool last = opts_.max_requests > 0 && n == opts_.max_requests;
  if (!fits || last) res.setKeepAlive(false);  // an unread body must not be parsed as the next request
  if ((status == 429 || status == 503) && !opts_.retry_after.empty())
    res.set("Retry-After", opts_.retry_after);
  res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  res.setContentType("application/json");
  const std::string reply = "{\"status\":" + std::to_string(status) + "}";
  res.sendBuffer(reply.data(), reply.size());
  if (last) ::kill(::getpid(), SIGTERM);  // the main thread's sigwait() ends the run
}

class handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit handler(receiver& r) : r_(r) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
    r_.handle(req, res);
  }

 private:
  receiver& r_;
};

class handler_factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit handler_factory(receiver& r) : r_(r) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new handler(r_);
  }

 private:
  receiver& r_;
};

// Written to a temp name and renamed, so a poller never reads a half-written port.
bool write_ready_file(const std::string& path, uint16_t port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << port << "\n";
    if (!f.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int serve_until_signalled(receive_options opts, std::ostream& out) {
  // Block the stop signals before the server starts its threads, so they inherit the mask and only the
  // sigwait() below ever sees SIGTERM/SIGINT.
  sigset_t stop_set, old_set;
  sigemptyset(&stop_set);
  sigaddset(&stop_set, SIGTERM);
  sigaddset(&stop_set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_set, &old_set);

  int rc = 0;
  try {
    receiver r(opts, out);
    // Our own pool, so shutdown can join the handler threads: Poco's stopAll() only closes their connections,
    // and a handler still running after `r` is destroyed would read freed memory (found by TSan).
    Poco::ThreadPool pool(2, 16);
    Poco::Net::ServerSocket socket(opts.listen);
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    params->setMaxThreads(16);
    params->setMaxQueued(256);
    Poco::Net::HTTPServer server(new handler_factory(r), pool, socket, params);
    server.start();
    const uint16_t port = socket.address().port();
    if (!opts.ready_file.empty() && !write_ready_file(opts.ready_file, port)) {
      std::cerr << "spec-notify receive: cannot write --ready-file " << opts.ready_file << "\n";
      rc = 1;
    } else {
      std::cerr << "spec-notify receive: listening on " << socket.address().toString()
                << (opts.verify ? " (verifying signatures)" : "") << "\n";
      int sig = 0;
      sigwait(&stop_set, &sig);
    }
    r.stop();
    server.stopAll(true);
    pool.joinAll();
  } catch (const Poco::Exception& e) {
    std::cerr << "spec-notify receive: cannot listen on " << opts.listen.toString() << ": " << e.displayText()
              << "\n";
    rc = 1;
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  return rc;
}

}  // namespace

int run_receive(const arg_list& args) {
  parsed_args a;
  std::string err;
  if (!parse_args(args, kSpecs, a, err)) {
    std::cerr << "spec-notify receive: " << err << "\n";
    return 2;
  }
  if (a.has("help")) {
    print_help(
        std::cout, "spec-notify receive --listen HOST:PORT [options]",
        "A verifying test receiver: prints or appends one JSON line per request (method, path, webhook-id,\n"
        "timestamp, event, attempt, verified, github_verified, status answered, body) and can inject faults.",
        kSpecs);
    return 0;
  }
  receive_options opts;
  if (!build_options(a, opts, err)) {
    std::cerr << "spec-notify receive: " << err << "\n";
    return 2;
  }
  if (opts.out_file.empty()) return serve_until_signalled(std::move(opts), std::cout);
  std::ofstream file(opts.out_file, std::ios::app);
  if (!file) {
    std::cerr << "spec-notify receive: cannot open --out " << opts.out_file << "\n";
    return 1;
  }
  return serve_until_signalled(std::move(opts), file);
}

}  // namespace spec_notify::app
