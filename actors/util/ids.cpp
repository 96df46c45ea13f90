#include "actors/util/ids.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <array>
#include <atomic>
#include <stdexcept>

namespace spec_notify::util {

namespace {

// Bumped in every forked child (pthread_atfork, registered once): a child starts with a copy of its parent's
// pools and must not hand out the bytes its parent is about to use. A counter, not getpid() per byte: glibc
// does not cache the pid, so that was a system call for every byte.
std::atomic<uint64_t> fork_generation{0};
void on_fork_child() {
  fork_generation.fetch_add(1, std::memory_order_relaxed);
}
const bool fork_handler_registered = ::pthread_atfork(nullptr, nullptr, on_fork_child) == 0;

// RAND_bytes costs ~7,000 instructions per call whatever the size (locking, the DRBG's per-call work), and
// a burst makes one id per delivery: so each thread draws 1 KiB at a time and uses it up. The bytes are
// cleansed as they are used, and a forked child (same buffer, same bytes) draws its own instead of
// repeating its parent's ids.
class random_pool {
 public:
  // Once per id: a fork since the last draw discards what is left.
  void check_fork() {
    if (generation_ != fork_generation.load(std::memory_order_relaxed) || !fork_handler_registered)
      used_ = pool_.size();
  }
  unsigned char next() {
    if (used_ == pool_.size()) refill();
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
    generation_ = fork_generation.load(std::memory_order_relaxed);
  }
  std::array<unsigned char, 1024> pool_{};
  size_t used_ = pool_.size();
  uint64_t generation_ = 0;
};

}  // namespace

std::string random_id(std::string_view prefix) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  constexpr size_t kLength = 26;
  thread_local random_pool pool;
  pool.check_fork();
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
