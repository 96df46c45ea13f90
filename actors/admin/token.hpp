#pragma once
// The admin token: a random secret the daemon writes to <state_dir>/admin.token (mode 0600) at start. Only a
// caller that can read that file (the daemon's user, or root) can present it, which is what makes "local
// operator" checkable on a TCP port. The token is never logged or printed; messages name the file only.
// Pure functions apart from the file I/O named in each; thread-safe.
#include <filesystem>
#include <string>

#include "messages/status.hpp"

namespace spec_notify::admin {

std::filesystem::path token_path(const std::filesystem::path& state_dir);

// A fresh token (32 random bytes, hex), written to `path` through a 0600 temp file + rename, so a reader
// never sees a partial token or a moment of looser permissions. The token, or a failure naming the file.
result<std::string> write_new_token(const std::filesystem::path& path);

// Reads the token (trailing white space dropped), or a failure naming the path (unreadable, empty).
result<std::string> read_token(const std::filesystem::path& path);

// Constant-time comparison (time depends on the expected length only); an empty `presented` never matches.
bool token_matches(const std::string& expected, const std::string& presented);

}  // namespace spec_notify::admin
