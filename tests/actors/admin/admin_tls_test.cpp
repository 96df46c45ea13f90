// The admin channel as an attacker on the same host sees it: a real daemon-side actor system publishing the
// admin actor with mutual TLS on a loopback port, and real clients in their own actor systems: the operator
// (this state dir's client certificate), a plain CAF client, an anonymous-TLS CAF client, one with another
// state dir's certificates, a raw TCP peer announcing a 4 GiB BASP payload, and a squatter daemon.
#define BOOST_TEST_MODULE admin_tls
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>
#include <fstream>

#include "actors/admin/admin_actor.hpp"
#include "actors/admin/tls_credentials.hpp"
#include "actors/admin/token.hpp"
#include "messages/admin_protocol.hpp"
#include "messages/type_ids.hpp"
#include "tests/support/temp_store.hpp"

using namespace spec_notify;
using namespace std::chrono_literals;

namespace {

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

long rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string key;
  long value = 0;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> value;
      return value;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

std::string why(caf::actor_system& sys, const caf::expected<caf::actor>& x) {
  return x ? std::string("connected") : sys.render(x.error());
}

// Takes the actor pointer and an argument: CAF 0.17's factory for an argument-less function dereferences a
// null argument tuple (UBSan reports it).
supervisor_actor::behavior_type stand_in_supervisor(supervisor_actor::pointer, pipeline_handles w) {
  return {[w](wire_atom) { return w; }};
}

// The daemon's side: an actor system configured as serve configures it, the admin actor published on it.
struct daemon_side {
  testing::temp_store store;
  config::settings cfg;
  caf::actor_system_config sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  admin::admin_actor admin;
  supervisor_actor supervisor;

  daemon_side() {
    cfg.state_dir = store.dir / "state";
    cfg.admin = "127.0.0.1:" + std::to_string(free_port());
    sys_cfg.load<caf::io::middleman>();
    std::string error;
    BOOST_REQUIRE_MESSAGE(admin::tls_config(sys_cfg, cfg, true, error), error);
    register_message_types(sys_cfg);
    sys = std::make_unique<caf::actor_system>(sys_cfg);
    admin::hide_utility_actors(*sys);
    supervisor = sys->spawn(stand_in_supervisor, pipeline_handles{});
    admin = admin::spawn_admin(*sys, cfg, store.db, spool::direct(store.db), supervisor,
                               admin::lifecycle_actor{}, error);
    BOOST_REQUIRE_MESSAGE(admin, error);
  }
  ~daemon_side() {
    admin::stop_admin(*sys, admin, cfg);
    caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
    admin = nullptr;
    supervisor = nullptr;
    sys.reset();
  }
  uint16_t port() const {
    return static_cast<uint16_t>(std::stoi(cfg.admin.substr(cfg.admin.rfind(':') + 1)));
  }
  std::string token() const {
    auto t = admin::read_token(admin::token_path(cfg.state_dir));
    BOOST_REQUIRE_MESSAGE(t, t.message());
    return *t;
  }
};

enum class client_kind { operator_certs, plain_caf, anonymous_tls, foreign_certs };

// A client in its own actor system. connect() is what `spec-notify admin` does (for operator_certs).
struct client_side {
  caf::actor_system_config sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  testing::temp_dir foreign;
  client_kind kind;

  client_side(const config::settings& daemon_cfg, client_kind k) : kind(k) {
    sys_cfg.load<caf::io::middleman>();
    std::string error;
    if (k == client_kind::operator_certs) {
      BOOST_REQUIRE_MESSAGE(admin::tls_config(sys_cfg, daemon_cfg, false, error), error);
    } else if (k == client_kind::anonymous_tls) {
      sys_cfg.load<caf::openssl::manager>();
    } else if (k == client_kind::foreign_certs) {
      // A complete, valid set from another state dir (another daemon, another user): wrong CA.
      admin::tls_files files;
      bool issued = false;
      auto made = admin::ensure_tls_files(foreign.path(), files, issued);
      BOOST_REQUIRE_MESSAGE(made, made.message());
      sys_cfg.load<caf::openssl::manager>();
      sys_cfg.openssl_certificate = files.client_cert.string();
      sys_cfg.openssl_key = files.client_key.string();
      sys_cfg.openssl_cafile = files.ca.string();
    }
    register_message_types(sys_cfg);
    sys = std::make_unique<caf::actor_system>(sys_cfg);
  }
  ~client_side() { sys.reset(); }

  caf::expected<caf::actor> connect(uint16_t port) {
    if (kind == client_kind::plain_caf) return sys->middleman().remote_actor("127.0.0.1", port);
    return caf::openssl::remote_actor(*sys, "127.0.0.1", port);
  }

  admin_reply call(const caf::actor& admin, const std::string& token) {
    admin_request req;
    req.command = "list";
    req.token = token;
    admin_reply out;
    out.ok = false;
    out.message = "no reply";
    caf::scoped_actor self{*sys};
    self->request(admin, 10s, req)
        .receive([&](admin_reply& r) { out = std::move(r); },
                 [&](caf::error& e) { out.message = sys->render(e); });
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(credentials_are_private_and_reused) {
  testing::temp_dir dir;
  ::umask(0);  // the modes must not depend on the caller's umask
  admin::tls_files a, b;
  bool issued = false;
  auto made = admin::ensure_tls_files(dir.path(), a, issued);
  BOOST_REQUIRE_MESSAGE(made, made.message());
  BOOST_CHECK(issued);
  struct stat st {};
  BOOST_REQUIRE_EQUAL(::stat(a.dir.c_str(), &st), 0);
  BOOST_CHECK_EQUAL(st.st_mode & 0777, 0700u);
  for (const auto& p : {a.ca, a.daemon_cert, a.daemon_key, a.client_cert, a.client_key}) {
    BOOST_REQUIRE_EQUAL(::stat(p.c_str(), &st), 0);
    BOOST_CHECK_MESSAGE((st.st_mode & 0777) == 0600, p.string()
                                                         << " has mode " << std::oct << (st.st_mode & 0777));
  }
  ::umask(022);
  std::ifstream in(a.client_cert);
  std::string first((std::istreambuf_iterator<char>(in)), {});
  made = admin::ensure_tls_files(dir.path(), b, issued);
  BOOST_REQUIRE_MESSAGE(made, made.message());
  BOOST_CHECK(!issued);  // a complete set is kept: clients keep working across restarts
  // A damaged set is replaced as a whole.
  std::ofstream(a.daemon_key) << "not a key\n";
  made = admin::ensure_tls_files(dir.path(), b, issued);
  BOOST_REQUIRE_MESSAGE(made, made.message());
  BOOST_CHECK(issued);
  std::ifstream again(a.client_cert);
  BOOST_CHECK(first != std::string((std::istreambuf_iterator<char>(again)), {}));
}

BOOST_AUTO_TEST_CASE(planted_symlink_for_the_credentials_folder_is_refused) {
  testing::temp_dir dir, elsewhere;
  std::filesystem::create_directory_symlink(elsewhere.path(), dir / "admin-tls");
  admin::tls_files f;
  bool issued = false;
  auto made = admin::ensure_tls_files(dir.path(), f, issued);
  BOOST_CHECK(!made);
  BOOST_CHECK_MESSAGE(made.message().find("admin-tls") != std::string::npos, made.message());
  BOOST_CHECK(std::filesystem::is_empty(elsewhere.path()));
}

BOOST_AUTO_TEST_CASE(operator_with_the_client_certificate_is_served) {
  daemon_side d;
  client_side c(d.cfg, client_kind::operator_certs);
  auto handle = c.connect(d.port());
  BOOST_REQUIRE_MESSAGE(handle, why(*c.sys, handle));
  auto reply = c.call(*handle, d.token());
  BOOST_CHECK_MESSAGE(reply.ok, reply.message);
  // Wrong token: still refused even over an authenticated channel.
  auto refused = c.call(*handle, "0000");
  BOOST_CHECK(!refused.ok);
  BOOST_CHECK(refused.message.rfind("refused:", 0) == 0);
}

BOOST_AUTO_TEST_CASE(exit_and_down_messages_from_peers_are_ignored) {
  daemon_side d;
  client_side c(d.cfg, client_kind::operator_certs);
  auto handle = c.connect(d.port());
  BOOST_REQUIRE_MESSAGE(handle, why(*c.sys, handle));
  caf::anon_send_exit(*handle, caf::exit_reason::kill);
  caf::anon_send_exit(*handle, caf::exit_reason::user_shutdown);
  caf::anon_send(*handle, caf::down_msg{caf::actor_addr{}, caf::exit_reason::kill});
  caf::anon_send(*handle, std::string("unexpected"));
  auto reply = c.call(*handle, d.token());  // answered after the messages above (same sender ordering)
  BOOST_CHECK_MESSAGE(reply.ok, reply.message);
}

BOOST_AUTO_TEST_CASE(clients_without_this_state_dirs_certificate_get_nothing) {
  daemon_side d;
  for (auto kind : {client_kind::plain_caf, client_kind::anonymous_tls, client_kind::foreign_certs}) {
    client_side c(d.cfg, kind);
    auto handle = c.connect(d.port());
    BOOST_CHECK_MESSAGE(!handle, "client kind " << static_cast<int>(kind) << " reached the admin actor");
  }
  // ... and the daemon still serves its operator.
  client_side ok(d.cfg, client_kind::operator_certs);
  auto handle = ok.connect(d.port());
  BOOST_REQUIRE_MESSAGE(handle, why(*ok.sys, handle));
  BOOST_CHECK(ok.call(*handle, d.token()).ok);
}

BOOST_AUTO_TEST_CASE(a_huge_basp_header_from_a_raw_peer_allocates_nothing) {
  daemon_side d;
  long before = rss_kb();
  for (int round = 0; round < 3; ++round) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(d.port());
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE_EQUAL(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    // BASP header: operation (1 = server handshake), padding, flags, payload_len = 0xFFFFFFFF, op data, ids.
    unsigned char header[32] = {1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    BOOST_REQUIRE_EQUAL(::write(fd, header, sizeof header), 32);
    // The TLS layer rejects the bytes; the daemon closes the connection instead of waiting for 4 GiB.
    char buf[64];
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    }
    BOOST_CHECK_MESSAGE(n == 0 || errno == ECONNRESET, "connection not closed by the daemon");
    ::close(fd);
  }
  BOOST_CHECK_MESSAGE(rss_kb() - before < 64 * 1024, "RSS grew by " << (rss_kb() - before) << " kB");
  client_side c(d.cfg, client_kind::operator_certs);
  auto handle = c.connect(d.port());
  BOOST_REQUIRE_MESSAGE(handle, why(*c.sys, handle));
  BOOST_CHECK(c.call(*handle, d.token()).ok);
}

BOOST_AUTO_TEST_CASE(operator_refuses_a_squatter_on_the_admin_port) {
  daemon_side real;
  // The squatter is a complete spec-notify daemon of its own (valid certificates, another CA) on the port
  // the operator's config names.
  daemon_side squatter;
  config::settings operator_cfg = real.cfg;
  operator_cfg.admin = squatter.cfg.admin;
  client_side c(operator_cfg, client_kind::operator_certs);
  auto handle = c.connect(squatter.port());
  BOOST_CHECK_MESSAGE(!handle, "the operator's client accepted a daemon of another state dir");
}

BOOST_AUTO_TEST_CASE(an_address_in_use_is_an_error_not_a_silent_daemon_without_admin) {
  daemon_side d;
  caf::actor_system_config sys_cfg;
  sys_cfg.load<caf::io::middleman>();
  config::settings cfg;
  testing::temp_store other;
  cfg.state_dir = other.dir / "state";
  cfg.admin = d.cfg.admin;  // taken
  std::string error;
  BOOST_REQUIRE_MESSAGE(admin::tls_config(sys_cfg, cfg, true, error), error);
  register_message_types(sys_cfg);
  caf::actor_system sys{sys_cfg};
  auto sup = sys.spawn(stand_in_supervisor, pipeline_handles{});
  auto a =
      admin::spawn_admin(sys, cfg, other.db, spool::direct(other.db), sup, admin::lifecycle_actor{}, error);
  BOOST_CHECK(!a);
  BOOST_CHECK_MESSAGE(error.find("cannot listen on " + cfg.admin) != std::string::npos, error);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(utility_actors_are_not_reachable_by_name) {
  daemon_side d;
  BOOST_CHECK(!d.sys->registry().get(caf::atom("SpawnServ")));
  BOOST_CHECK(!d.sys->registry().get(caf::atom("ConfigServ")));
}
