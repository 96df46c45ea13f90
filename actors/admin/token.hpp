#pragma once
// The admin token: a random secret the daemon writes to <state_dir>/admin.token (mode 0600) at start. Only a
// caller that can read that file (the daemon's user, or root) can present it, which is what makes "local
// operator" checkable on a TCP port. The token is never logged or printed; messages name the file only.
// Pure functions apart from the file I/O named in each; thread-safe.
#include <filesystem>
#include <string>

namespace spec_notify::admin {

std::filesystem::path token_path(const std::filesystem::path& state_dir);

// A fresh token (32 random bytes, hex), written to `path` through a 0600 temp file + rename, so a reader
// never sees a partial token or a moment of looser permissions. Returns "" on failure and sets `error`.
std::string write_new_token(const std::filesystem::path& path, std::string& error);

// Reads the token (trailing white space dropped). Returns false and sets `error` (naming the path) on
// failure.
bool read_token(const std::filesystem::path& path, std::string& token, std::string& error);

// Constant-time comparison (time depends on the expected length only); an empty `presented` never matches.
bool token_matches(const std::string& expected, const std::string& presented);

}  // namespace spec_notify::admin
