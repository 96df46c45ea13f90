#include "app/commands/admin_client.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>
#include <filesystem>
#include <iostream>
#include <set>

#include "actors/admin/admin_actor.hpp"
#include "actors/admin/operations.hpp"
#include "actors/admin/requests.hpp"
#include "actors/admin/token.hpp"
#include "actors/store/store.hpp"
#include "actors/util/clock.hpp"
#include "app/commands/admin_ops.hpp"
#include "messages/type_ids.hpp"

namespace spec_notify::app {
namespace {

// A replay may move thousands of records with a synced write; a list may carry a large spool.
constexpr auto call_timeout = std::chrono::seconds(60);

admin_reply failure(std::string message) {
  admin_reply r;
  r.ok = false;
  r.message = std::move(message);
  return r;
}

class remote_session : public admin_session {
 public:
  explicit remote_session(const config::settings& cfg) : address_(cfg.admin) {
    sys_cfg_.load<caf::io::middleman>();
    // Without the client certificate there is nothing to try: the daemon accepts mutual TLS only.
    have_tls_ = admin::tls_config(sys_cfg_, cfg, false, tls_error_);
    register_message_types(sys_cfg_);
    sys_ = std::make_unique<caf::actor_system>(sys_cfg_);
    if (auto token = admin::read_token(admin::token_path(cfg.state_dir)))
      token_ = std::move(*token);
    else
      token_error_ = token.message();
  }
  ~remote_session() override {
    admin_ = nullptr;
    sys_.reset();
  }

  bool connect(std::string& error) {
    auto where = config::parse_host_port(address_);
    if (!where) {
      error = where.message();
      return false;
    }
    if (!have_tls_) {
      error = tls_error_;
      return false;
    }
    auto handle = caf::openssl::remote_actor(*sys_, where->host, where->port);
    if (!handle) {
      // CAF renders this as system_error(cannot_connect_to_node, ...): say it plainly. A refused TLS
      // handshake looks the same to CAF; it is what a listener without this state_dir's certificate gets.
      error = handle.error() == caf::sec::cannot_connect_to_node
                  ? "nothing accepts connections there, or the listener did not prove it is this state dir's "
                    "daemon (mutual TLS)"
                  : sys_->render(handle.error());
      return false;
    }
    admin_ = *handle;
    return true;
  }

  admin_reply call(admin_request req) override {
    req.token = token_;
    admin_reply out = failure("no reply from the daemon at " + address_);
    caf::scoped_actor self{*sys_};
    self->request(admin_, call_timeout, std::move(req))
        .receive([&](admin_reply& reply) { out = std::move(reply); },
                 [&](caf::error& err) {
                   out = failure("the daemon at " + address_ + " did not answer: " + sys_->render(err));
                 });
    if (!out.ok && !token_error_.empty() && out.message.rfind("refused:", 0) == 0)
      out.message += "\n" + token_error_;
    return out;
  }
  std::string where() const override { return "daemon at " + address_; }
  bool remote() const override { return true; }

 private:
  std::string address_, token_, token_error_, tls_error_;
  bool have_tls_ = false;
  caf::actor_system_config sys_cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  caf::actor admin_;
};

class local_session : public admin_session {
 public:
  local_session(const config::settings& cfg, store::db_ptr db) : cfg_(cfg), db_(std::move(db)) {}

  admin_reply call(admin_request req) override {
    if (req.command == "list") {
      if (!db_) return {};  // no state directory yet: nothing pending, nothing dead, no circuit
      auto reply = admin::handle_list(*db_, req);
      reply.statuses = admin::stored_circuits(*db_, breaker_subscriptions(req.subscription));
      return reply;
    }
    if (req.command == "replay") {
      if (!db_) {
        admin_reply r;
        for (const auto& id : req.ids) r.replayed.push_back({id, "not found", "", false});
        return r;
      }
      std::vector<delivery> replayed;  // picked up by the deliverers at the daemon's next start
      auto reply = admin::handle_replay(*db_, req, replayed);
      auto err = admin::record_offline({cfg_.evidence_dir, cfg_.evidence_max_bytes_per_spec, cfg_.repo},
                                       admin::replay_outcomes(replayed, util::unix_now_ms()));
      if (!err.empty() && reply.message.empty())
        reply.message = "replayed, but the evidence record was not written: " + err;
      return reply;
    }
    return failure("'" + req.command + "' needs a running daemon (nothing listens on " + cfg_.admin + ")");
  }
  std::string where() const override { return "store " + cfg_.state_dir.string() + " (no daemon running)"; }
  bool remote() const override { return false; }

 private:
  // The configured subscriptions (only `only` when set) whose breaker a daemon would restore at its start.
  std::vector<std::string> breaker_subscriptions(const std::string& only) const {
    std::vector<std::string> names;
    for (const auto& sub : cfg_.subscriptions)
      if (sub.enabled && sub.breaker.enabled && (only.empty() || sub.name == only)) names.push_back(sub.name);
    return names;
  }

  config::settings cfg_;
  store::db_ptr db_;
};

}  // namespace

int load_ops_config(const parsed_args& args, const std::string& command, config::settings& out) {
  auto real = config::process_env();
  // Operator commands never sign or send: an unset secret variable gets a syntactically valid stand-in, and
  // an unset url_env variable (its name is in the loader's error) a loopback URL, so an operator shell
  // without the daemon's environment can still list and replay.
  std::set<std::string> url_names;
  auto env = [real, &url_names](const std::string& name) -> std::optional<std::string> {
    if (auto v = real(name)) return v;
    if (url_names.count(name)) return std::string("http://127.0.0.1/");
    return "whsec_" + std::string(43, 'A') + "=";
  };
  auto loaded = config::load_settings_file(config_path_from(args), env);
  for (int round = 0; !loaded.ok() && round < 8; ++round) {
    bool retry = false;
    for (const auto& p : loaded.problems) {
      const auto text = p.to_string();
      const auto at = text.find(" (url_env)");
      const auto from = text.rfind("environment variable ", at);
      if (at == std::string::npos || from == std::string::npos) continue;
      const auto name = text.substr(from + 21, at - from - 21);
      if (!real(name) && url_names.insert(name).second) retry = true;
    }
    if (!retry) break;
    loaded = config::load_settings_file(config_path_from(args), env);
  }
  if (!loaded.ok()) {
    for (const auto& p : loaded.problems) std::cerr << p.to_string() << "\n";
    std::cerr << "spec-notify " << command << ": configuration invalid (run check-config for details)\n";
    return 2;
  }
  out = std::move(loaded.value);
  return 0;
}

std::unique_ptr<admin_session> admin_session::open(const config::settings& cfg, bool allow_offline,
                                                   std::string& error) {
  std::string why = "admin = \"off\" in the config";
  if (cfg.admin_enabled) {
    auto remote = std::make_unique<remote_session>(cfg);
    if (remote->connect(why)) return remote;
  }
  if (!allow_offline) {
    error = "no daemon answers on the admin address " + cfg.admin + " (" + why +
            "); start it with `spec-notify serve` (see its log for admin errors)";
    return nullptr;
  }
  std::error_code ec;
  if (!std::filesystem::exists(cfg.state_dir, ec)) return std::make_unique<local_session>(cfg, nullptr);
  auto opened = store::db::open(cfg.state_dir.string());
  if (!opened) {
    error =
        "cannot reach the daemon's admin actor at " + cfg.admin + " (" + why +
        ") and cannot open the store directly: " + opened.message() +
        "\nIf a daemon holds the store, its admin actor is not reachable at that address (check `admin` in "
        "the config and the daemon's log).";
    return nullptr;
  }
  return std::make_unique<local_session>(cfg, std::shared_ptr<store::db>(std::move(*opened)));
}

}  // namespace spec_notify::app
