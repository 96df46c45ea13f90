#pragma once
// How `--list`, `--replay` and `admin` reach the operations: through the running daemon's admin actor (CAF
// middleman, token from <state_dir>/admin.token), or, when nothing listens on the admin address, directly on
// the store (LevelDB admits one process, so this only works while no daemon runs). Used by app/commands only.
#include <memory>
#include <string>

#include "config/settings.hpp"
#include "messages/admin_protocol.hpp"

namespace spec_notify::app {

class admin_session {
 public:
  virtual ~admin_session() = default;

  // Connects to the admin actor at cfg.admin; when nothing answers there and `allow_offline`, opens the store
  // instead. On failure returns nullptr and sets `error` to a readable explanation (callers exit 1), e.g.
  // the store is held by a process whose admin actor cannot be reached.
  static std::unique_ptr<admin_session> open(const config::settings& cfg, bool allow_offline,
                                             std::string& error);

  // Sends one request (the token is filled in) and returns the reply; transport failures become
  // reply.ok == false with a message. Offline sessions answer "list" and "replay" only; their "list" takes
  // the open circuits (reply.statuses) from the store's sub/<name>/breaker keys, where a daemon's takes them
  // from its running deliverers.
  virtual admin_reply call(admin_request req) = 0;
  // "daemon at 127.0.0.1:7707" or "store /path (no daemon running)", for banners and messages.
  virtual std::string where() const = 0;
  virtual bool remote() const = 0;
};

}  // namespace spec_notify::app
