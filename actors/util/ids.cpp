#include "actors/util/ids.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace spec_notify::util {

std::string random_id(std::string_view prefix) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  constexpr size_t kLength = 26;
  std::string out(prefix);
  std::array<unsigned char, 64> pool{};
  while (out.size() < prefix.size() + kLength) {
    if (RAND_bytes(pool.data(), static_cast<int>(pool.size())) != 1)
      throw std::runtime_error("OpenSSL: RAND_bytes failed");
    for (unsigned char b : pool) {
      if (b >= 248) continue;  // 248 = 4 * 62: rejecting the rest keeps every character equally likely
      out += kAlphabet[b % 62];
      if (out.size() == prefix.size() + kLength) break;
    }
  }
  return out;
}

}  // namespace spec_notify::util
