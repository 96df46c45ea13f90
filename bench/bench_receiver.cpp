// bench_receiver: a minimal keep-alive HTTP/1.1 webhook receiver for the benchmarks (bench/run.sh), built so
// that it is not the bottleneck: one epoll thread, no allocation per request beyond the record it keeps, no
// I/O but the socket until it stops. Not product code and not a test.
//
// Per POST it verifies the Standard Webhooks signature (HMAC-SHA256 over id.timestamp.body against every
// whsec_ secret of --secret-env, when given), answers 200 "ok" (401 when verification fails) and records in
// memory: the receive time (unix microseconds, taken when the whole request is in), webhook-id,
// x-spec-notify-attempt, verified flag, and occurred_at / task.id / spec.key found in the body by plain
// string search. On SIGTERM/SIGINT it writes the records to --out as TSV lines and exits 0:
//   recv_us <TAB> webhook_id <TAB> attempt <TAB> verified(1|0|-) <TAB> occurred_at <TAB> task_id <TAB>
//   spec_key
// GET /stats answers "<posts> <verified> <unverified>\n" (not counted) so a driver can poll progress.
// --blackhole: accept connections and read requests but never answer (an endpoint that hangs).
//
// Usage: bench_receiver --ready-file F [--listen-port 0] [--out F] [--secret-env VAR] [--blackhole]
//                       [--max-records N (default 2000000)]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

struct record {
  int64_t recv_us;
  std::string id, attempt, occurred_at, task, spec;
  char verified;
};

struct conn {
  std::string in, out;
  bool close_after = false;
};

std::vector<std::string> g_keys;  // decoded HMAC keys
bool g_verify = false, g_blackhole = false;
std::vector<record> g_records;
size_t g_max_records = 2000000;
uint64_t g_posts = 0, g_ok = 0, g_bad = 0;

int64_t now_us() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  return true;
}

std::string_view header_value(std::string_view line, size_t name_len) {
  auto v = line.substr(name_len + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

std::string json_field(std::string_view body, std::string_view after, std::string_view key) {
  size_t from = 0;
  if (!after.empty()) {
    from = body.find(after);
    if (from == std::string_view::npos) return "";
  }
  auto k = body.find(key, from);
  if (k == std::string_view::npos) return "";
  k += key.size();
  auto e = body.find('"', k);
  if (e == std::string_view::npos) return "";
  return std::string(body.substr(k, e - k));
}

bool verify(std::string_view id, std::string_view ts, std::string_view sigs, std::string_view body) {
  std::string msg;
  msg.reserve(id.size() + ts.size() + body.size() + 2);
  msg.append(id).append(".").append(ts).append(".").append(body);
  for (const auto& key : g_keys) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
         msg.size(), mac, &len);
    unsigned char b64[128];
    int n = EVP_EncodeBlock(b64, mac, int(len));
    std::string want = "v1," + std::string(reinterpret_cast<char*>(b64), size_t(n));
    size_t pos = 0;
    while (pos < sigs.size()) {
      auto sp = sigs.find(' ', pos);
      auto tok = sigs.substr(pos, sp == std::string_view::npos ? std::string_view::npos : sp - pos);
      if (tok == want) return true;
      if (sp == std::string_view::npos) break;
      pos = sp + 1;
    }
  }
  return false;
}

// Handles every complete request in c.in; returns false when the connection must close now (bad request).
bool handle(conn& c) {
  for (;;) {
    auto end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) return c.in.size() < 64 * 1024;
    std::string_view head(c.in.data(), end);
    size_t content_length = 0;
    std::string_view id, ts, sigs, attempt;
    bool close = false;
    auto line_end = head.find("\r\n");
    std::string_view request_line = head.substr(0, line_end);
    size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      auto e = head.find("\r\n", pos);
      if (e == std::string_view::npos) e = head.size();
      auto line = head.substr(pos, e - pos);
      if (iequals_prefix(line, "content-length"))
        content_length = std::strtoul(std::string(header_value(line, 14)).c_str(), nullptr, 10);
      else if (iequals_prefix(line, "webhook-id"))
        id = header_value(line, 10);
      else if (iequals_prefix(line, "webhook-timestamp"))
        ts = header_value(line, 17);
      else if (iequals_prefix(line, "webhook-signature"))
        sigs = header_value(line, 17);
      else if (iequals_prefix(line, "x-spec-notify-attempt"))
        attempt = header_value(line, 21);
      else if (iequals_prefix(line, "connection")) {
        auto v = header_value(line, 10);
        close = v.size() == 5 && (v[0] == 'c' || v[0] == 'C');
      }
      pos = e + 2;
    }
    const size_t total = end + 4 + content_length;
    if (c.in.size() < total) return content_length < 16 * 1024 * 1024;
    if (g_blackhole) {  // swallow and never answer
      c.in.erase(0, total);
      continue;
    }
    std::string_view body(c.in.data() + end + 4, content_length);
    if (request_line.substr(0, 4) == "GET ") {
      std::string s =
          std::to_string(g_posts) + " " + std::to_string(g_ok) + " " + std::to_string(g_bad) + "\n";
      c.out += "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(s.size()) +
               "\r\n\r\n" + s;
    } else {
      const int64_t t = now_us();
      char v = '-';
      bool ok = true;
      if (g_verify) {
        ok = verify(id, ts, sigs, body);
        v = ok ? '1' : '0';
      }
      ++g_posts;
      ok ? ++g_ok : ++g_bad;
      if (g_records.size() < g_max_records)
        g_records.push_back(
            {t, std::string(id), std::string(attempt), json_field(body, "", "\"occurred_at\":\""),
             json_field(body, "\"task\":{", "\"id\":\""), json_field(body, "\"spec\":{", "\"key\":\""), v});
      c.out += ok ? "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"
                  : "HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nbad\n";
    }
    if (close) c.close_after = true;
    c.in.erase(0, total);
  }
}

void set_nonblock(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

}  // namespace

int main(int argc, char** argv) {
  std::string ready_file, out_file, secret_env;
  int port = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--ready-file")
      ready_file = next();
    else if (a == "--out")
      out_file = next();
    else if (a == "--secret-env")
      secret_env = next();
    else if (a == "--listen-port")
      port = std::atoi(next().c_str());
    else if (a == "--max-records")
      g_max_records = std::strtoul(next().c_str(), nullptr, 10);
    else if (a == "--blackhole")
      g_blackhole = true;
    else {
      std::fprintf(stderr, "unknown option %s (see the comment at the top of bench_receiver.cpp)\n",
                   a.c_str());
      return 2;
    }
  }
  if (!secret_env.empty()) {
    const char* v = std::getenv(secret_env.c_str());
    if (!v) {
      std::fprintf(stderr, "env %s not set\n", secret_env.c_str());
      return 2;
    }
    std::string all = v;
    size_t pos = 0;
    while (pos < all.size()) {
      auto sp = all.find(' ', pos);
      std::string tok = all.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
      pos = sp == std::string::npos ? all.size() : sp + 1;
      if (tok.rfind("whsec_", 0) != 0) continue;
      std::string b64 = tok.substr(6);
      std::vector<unsigned char> buf(b64.size());
      int n =
          EVP_DecodeBlock(buf.data(), reinterpret_cast<const unsigned char*>(b64.data()), int(b64.size()));
      if (n < 0) continue;
      size_t pad = 0;
      for (auto it = b64.rbegin(); it != b64.rend() && *it == '='; ++it) ++pad;
      g_keys.emplace_back(reinterpret_cast<char*>(buf.data()), size_t(n) - pad);
    }
    if (g_keys.empty()) {
      std::fprintf(stderr, "no whsec_ secret in %s\n", secret_env.c_str());
      return 2;
    }
    g_verify = true;
  }
  g_records.reserve(std::min<size_t>(g_max_records, 200000));
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only
  addr.sin_port = htons(uint16_t(port));
  if (bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(lfd, 1024) != 0) {
    std::perror("bind/listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);
  set_nonblock(lfd);
  if (!ready_file.empty()) {
    std::string tmp = ready_file + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (!f) return 1;
    std::fprintf(f, "%d\n", ntohs(addr.sin_port));
    std::fclose(f);
    std::rename(tmp.c_str(), ready_file.c_str());
  }

  int ep = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = lfd;
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  std::unordered_map<int, conn> conns;
  std::vector<epoll_event> events(256);
  char buf[65536];
  auto drop = [&](int fd) {
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    conns.erase(fd);
  };
  while (!g_stop) {
    int n = epoll_wait(ep, events.data(), int(events.size()), 200);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == lfd) {
        for (;;) {
          int c = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (c < 0) break;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event cev{};
          cev.events = EPOLLIN | EPOLLRDHUP;
          cev.data.fd = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
          conns[c];
        }
        continue;
      }
      auto it = conns.find(fd);
      if (it == conns.end()) continue;
      conn& c = it->second;
      bool dead = false;
      if (events[i].events & EPOLLIN) {
        for (;;) {
          ssize_t r = read(fd, buf, sizeof buf);
          if (r > 0) {
            c.in.append(buf, size_t(r));
            continue;
          }
          if (r == 0)
            dead = true;
          else if (errno != EAGAIN && errno != EINTR)
            dead = true;
          break;
        }
        if (!handle(c)) dead = true;
      }
      if (!c.out.empty()) {
        ssize_t w = write(fd, c.out.data(), c.out.size());
        if (w > 0)
          c.out.erase(0, size_t(w));
        else if (w < 0 && errno != EAGAIN && errno != EINTR)
          dead = true;
        epoll_event cev{};
        cev.events = EPOLLIN | EPOLLRDHUP | (c.out.empty() ? 0u : uint32_t(EPOLLOUT));
        cev.data.fd = fd;
        epoll_ctl(ep, EPOLL_CTL_MOD, fd, &cev);
      }
      if (c.out.empty() && c.close_after) dead = true;
      if (dead || (events[i].events & (EPOLLHUP | EPOLLERR))) drop(fd);
    }
  }
  if (!out_file.empty()) {
    FILE* f = std::fopen(out_file.c_str(), "w");
    if (!f) {
      std::perror("open --out");
      return 1;
    }
    for (const auto& r : g_records)
      std::fprintf(f, "%lld\t%s\t%s\t%c\t%s\t%s\t%s\n", static_cast<long long>(r.recv_us), r.id.c_str(),
                   r.attempt.c_str(), r.verified, r.occurred_at.c_str(), r.task.c_str(), r.spec.c_str());
    std::fclose(f);
  }
  std::fprintf(stderr, "bench_receiver: %llu posts, %llu ok, %llu rejected\n",
               static_cast<unsigned long long>(g_posts), static_cast<unsigned long long>(g_ok),
               static_cast<unsigned long long>(g_bad));
  return 0;
}
