#pragma once
// Mutual-TLS credentials of the admin channel: a private CA per state_dir, one certificate for the daemon and
// one for operator clients (`admin`, `--list`, `--replay`), all in <state_dir>/admin-tls/ (0700, files 0600).
// Why: CAF's BASP parser trusts its peer (a 32-byte header can announce a 4 GiB payload, any actor id can be
// addressed), so nobody may reach it before proving who they are. With these files CAF's OpenSSL module
// requires a certificate from this CA on both ends before a single BASP byte is read: a local process that
// cannot read state_dir cannot talk to the daemon, and a squatter on the admin port cannot pose as it.
// The CA's private key is never written: once issued, nobody (not even the daemon) can mint another cert,
// and deleting the folder makes `serve` issue a fresh set at its next start (old clients' files stop
// working). Thread-safety: pure functions plus the file I/O named in each.
#include <filesystem>
#include <string>

#include "messages/status.hpp"

namespace spec_notify::admin {

struct tls_files {
  std::filesystem::path dir, ca, daemon_cert, daemon_key, client_cert, client_key;
};

// Where the files of `state_dir` live (nothing is checked).
tls_files tls_paths(const std::filesystem::path& state_dir);

// For `serve`: reuses a complete, consistent set (each certificate verifies against the CA and matches its
// key), otherwise issues a new one (EC P-256, 10 years), replacing every file through 0600 temp files and
// renames. A failure (naming the path) when the folder cannot be made or written. `issued` tells whether a
// new set was made. (Two outputs, so they stay out-parameters, as in LevelDB's `Status Get(key, &value)`.)
status ensure_tls_files(const std::filesystem::path& state_dir, tls_files& out, bool& issued);

// For clients: ok when the client certificate, its key and the CA are readable by this process, else a
// failure saying which file is missing or unreadable (e.g. another user's state_dir).
status client_tls_files(const std::filesystem::path& state_dir, tls_files& out);

}  // namespace spec_notify::admin
