#include "actors/admin/token.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace spec_notify::admin {

std::filesystem::path token_path(const std::filesystem::path& state_dir) {
  return state_dir / "admin.token";
}

result<std::string> write_new_token(const std::filesystem::path& path) {
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) {
    return status::failure("cannot generate an admin token: no randomness available");
  }
  static const char hex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char c : raw) {
    token += hex[c >> 4];
    token += hex[c & 15];
  }
  auto tmp = path;
  tmp += ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return status::failure("cannot write " + tmp.string() + ": " + std::strerror(errno));
  }
  std::string line = token + "\n";
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string error = "cannot write " + path.string() + ": " + std::strerror(ok ? errno : err);
    ::unlink(tmp.c_str());
    return status::failure(std::move(error));
  }
  return token;
}

result<std::string> read_token(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    return status::failure("cannot read the admin token " + path.string() + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  if (token.empty()) {
    return status::failure("the admin token file " + path.string() + " is empty");
  }
  return token;
}

bool token_matches(const std::string& expected, const std::string& presented) {
  if (expected.empty() || presented.empty()) return false;
  unsigned char diff = expected.size() == presented.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i)
    diff |= static_cast<unsigned char>(expected[i] ^ (i < presented.size() ? presented[i] : 0));
  return diff == 0;
}

}  // namespace spec_notify::admin
