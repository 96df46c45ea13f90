#include "actors/util/ids.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <array>
#include <stdexcept>

namespace spec_notify::util {

namespace {

// RAND_bytes costs ~7,000 instructions per call whatever the size (locking, the DRBG's per-call work), and
// a burst makes one id per delivery: so each thread draws 1 KiB at a time and uses it up. The bytes are
// cleansed as they are used, and a forked child (same buffer, same bytes) draws its own instead of
// repeating its parent's ids.
class random_pool {
 public:
  unsigned char next() {
    if (used_ == pool_.size() || pid_ != ::getpid()) refill();
    const unsigned char b = pool_[used_];
    pool_[used_++] = 0;
    return b;
  }
  ~random_pool() { OPENSSL_cleanse(pool_.data(), pool_.size()); }

 private:
  void refill() {
    if (RAND_bytes(pool_.data(), static_cast<int>(pool_.size())) != 1)
      throw std::runtime_error("OpenSSL: RAND_bytes failed");
    used_ = 0;
    pid_ = ::getpid();
  }
  std::array<unsigned char, 1024> pool_{};
  size_t used_ = pool_.size();
  pid_t pid_ = 0;
};

}  // namespace

std::string random_id(std::string_view prefix) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  constexpr size_t kLength = 26;
  thread_local random_pool pool;
  std::string out;
  out.reserve(prefix.size() + kLength);
  out.append(prefix);
  while (out.size() < prefix.size() + kLength) {
    const unsigned char b = pool.next();
    if (b >= 248) continue;  // 248 = 4 * 62: rejecting the rest keeps every character equally likely
    out += kAlphabet[b % 62];
  }
  return out;
}

}  // namespace spec_notify::util
