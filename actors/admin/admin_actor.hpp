#pragma once
// admin actor: the daemon's operator interface, published with CAF's middleman on settings.admin (loopback
// unless settings.admin_allow_remote; the address is fixed for the life of the process). Callers are
// `spec-notify admin`, `--list` and `--replay` in another process; they send one admin_request and get one
// admin_reply (messages/admin_protocol.hpp).
// Access: the transport is mutual TLS through CAF's OpenSSL module with a private CA per state_dir
// (tls_credentials.hpp): a peer without the client certificate fails the handshake before BASP reads a byte,
// and clients refuse a server without the daemon certificate (a squatter on the port never sees the token).
// On top, at start it writes a random token to <state_dir>/admin.token (0600); a request without that token
// (compared in constant time), or over the size bounds, gets "refused: ...". Exit and down messages from
// peers are ignored and logged; CAF's SpawnServ/ConfigServ are removed from the registry BASP routes to.
// Requests: status (every configured subscription: live deliverer counters + stored dead letters), list and
// replay (actors/admin/requests.hpp on the daemon's store; replayed records go straight to the running
// deliverer, found through the supervisor's (wire_atom) reply), pause/resume NAME (forwarded to the
// deliverer; pauses are re-applied after a reload), reload (config::check_reload, the check SIGHUP uses; if
// valid, hands the new settings to serve as a reload_request, which serve applies like a SIGHUP; else replies
// with every problem and changes nothing).
// Persists: nothing of its own besides the token file; replays are written by the spool actor (dlv/, dead/)
// and the evidence writer (requests.hpp).
// Runs detached: it reads LevelDB, waits for the spool's synced writes and touches evidence files.
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <memory>

#include "actors/spool/spool_actor.hpp"
#include "actors/store/store.hpp"
#include "actors/supervisor/supervisor_actor.hpp"
#include "config/settings.hpp"

namespace spec_notify::admin {

// admin -> serve: a config that passed config::check_reload, to be applied as a SIGHUP would be. Local only.
struct reload_request {
  std::shared_ptr<const config::settings> next;
};

// serve's own actor, which owns the pipeline's life cycle.
using lifecycle_actor = caf::typed_actor<caf::reacts_to<reload_request>>;

// serve -> admin after a reload: the new pipeline's supervisor and the settings now in effect. Local only:
// settings never cross a process boundary, and a type that is not registered cannot be sent by a remote
// caller either.
struct admin_rewire {
  supervisor_actor supervisor;
  std::shared_ptr<const config::settings> cfg;
};

// serve -> admin at shutdown. The admin actor ignores exit messages (a peer could send one), so it stops on
// this local-only type instead, which no remote caller can construct.
struct admin_stop {};

// What serve may send the admin actor (remote callers send admin_request, see admin_protocol.hpp).
using admin_actor = caf::typed_actor<caf::reacts_to<admin_rewire>, caf::reacts_to<admin_stop>>;

// Before the actor system exists: loads CAF's OpenSSL module and points it at this state_dir's credentials,
// the daemon's (issued on first use) or the client's (read only). False + `error` when they cannot be made
// or read.
bool tls_config(caf::actor_system_config& sys_cfg, const config::settings& cfg, bool daemon,
                std::string& error);

// Right after the actor system starts: makes CAF's utility actors unreachable by name from peers.
void hide_utility_actors(caf::actor_system& sys);

// Spawns and publishes the admin actor (the system must have been configured with tls_config). Returns an
// invalid handle and sets `error` when it cannot serve: non-loopback address without admin_allow_remote,
// token file not writable, port not bindable; serve then refuses to start.
// `lifecycle` receives reload_request (serve's own actor); an invalid handle makes `reload` unavailable.
// Reads `db` (list, status); replays are written through `spool` (spool::through).
admin_actor spawn_admin(caf::actor_system& sys, config::settings cfg, store::db_ptr db, spool::port spool,
                        supervisor_actor supervisor, lifecycle_actor lifecycle, std::string& error);

// After a reload: the new pipeline's supervisor and the settings now in effect (the admin address keeps
// its old value until a restart). No-op on an invalid handle.
void rewire_admin(const admin_actor& admin, supervisor_actor supervisor, config::settings cfg);

// Unpublishes, removes the token file and stops the actor. No-op on an invalid handle.
void stop_admin(caf::actor_system& sys, const admin_actor& admin, const config::settings& cfg);

}  // namespace spec_notify::admin

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(spec_notify::admin::reload_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(spec_notify::admin::admin_rewire)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(spec_notify::admin::admin_stop)
