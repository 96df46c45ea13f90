#include "actors/deliverer/signature.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>

#include "config/secret.hpp"

namespace spec_notify::deliverer {
namespace {

constexpr std::string_view kWhsecPrefix = "whsec_";
constexpr std::string_view kGithubPrefix = "sha256=";
constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

using digest = std::array<unsigned char, 32>;

// OpenSSL 3 looks the HMAC implementation up in its provider tables at every EVP_MAC_fetch and sets a key up
// (two hashed pads) at every keyed EVP_MAC_init: per request that was ~35,000 instructions, about 9 % of a
// whole burst (callgrind, docs/benchmarks.md). So the MAC is fetched once per process, and each thread keeps
// the context of the key it signed with last -- an endpoint's HTTP worker signs with the same secret every
// time -- restarting it with EVP_MAC_init(ctx, NULL, ...), which keeps the key. A new key (another secret,
// a reload) builds a new context; the old key's bytes are cleansed.
class keyed_hmac {
 public:
  keyed_hmac() = default;
  keyed_hmac(const keyed_hmac&) = delete;
  keyed_hmac& operator=(const keyed_hmac&) = delete;
  ~keyed_hmac() { reset(); }

  EVP_MAC_CTX* restart(std::string_view key) {
    if (ctx_ && key == key_) {
      if (EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1) return ctx_;
      reset();  // never seen; build a fresh one below
    }
    reset();
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);  // for the life of the process
    if (!mac) throw std::runtime_error("OpenSSL: HMAC unavailable");
    ctx_ = EVP_MAC_CTX_new(mac);
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                           OSSL_PARAM_construct_end()};
    // OpenSSL rejects a NULL key pointer even with length 0; an empty key is still a valid HMAC key.
    static const unsigned char empty_key = 0;
    const auto* key_ptr = key.empty() ? &empty_key : reinterpret_cast<const unsigned char*>(key.data());
    if (!ctx_ || EVP_MAC_init(ctx_, key_ptr, key.size(), params) != 1) {
      reset();
      throw std::runtime_error("OpenSSL: HMAC init failed");
    }
    key_.assign(key);
    return ctx_;
  }

 private:
  void reset() {
    if (ctx_) EVP_MAC_CTX_free(ctx_);
    ctx_ = nullptr;
    if (!key_.empty()) OPENSSL_cleanse(key_.data(), key_.size());
    key_.clear();
  }
  EVP_MAC_CTX* ctx_ = nullptr;
  std::string key_;
};

// HMAC-SHA256 over the concatenation of `parts`, streamed so the body is never copied.
digest hmac_sha256(std::string_view key, std::initializer_list<std::string_view> parts) {
  thread_local keyed_hmac cached;
  EVP_MAC_CTX* ctx = cached.restart(key);
  for (auto part : parts)
    if (EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(part.data()), part.size()) != 1)
      throw std::runtime_error("OpenSSL: HMAC update failed");
  digest out{};
  size_t len = 0;
  if (EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1 || len != out.size())
    throw std::runtime_error("OpenSSL: HMAC final failed");
  return out;
}

std::string base64_encode(const unsigned char* data, size_t n) {
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = uint32_t(data[i]) << 16;
    if (i + 1 < n) v |= uint32_t(data[i + 1]) << 8;
    if (i + 2 < n) v |= data[i + 2];
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += i + 1 < n ? kBase64Alphabet[(v >> 6) & 63] : '=';
    out += i + 2 < n ? kBase64Alphabet[v & 63] : '=';
  }
  return out;
}

std::string hex_encode(const digest& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(d.size() * 2);
  for (unsigned char b : d) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // The length of a well-formed signature is public; only the content comparison must not leak timing.
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void random_bytes(unsigned char* buf, size_t n) {
  if (RAND_bytes(buf, static_cast<int>(n)) != 1) throw std::runtime_error("OpenSSL: RAND_bytes failed");
}

bool parse_unix_seconds(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;  // 18 digits cannot overflow int64
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

bool decode_whsec(std::string_view secret, std::string& key_bytes) {
  if (secret.substr(0, kWhsecPrefix.size()) != kWhsecPrefix) return false;
  std::vector<uint8_t> bytes;  // the config's decoder: one base64 reading for validation and signing
  if (!config::base64_decode(secret.substr(kWhsecPrefix.size()), bytes) || bytes.empty()) return false;
  key_bytes.assign(bytes.begin(), bytes.end());
  return true;
}

bool decode_standard_secret(std::string_view secret, std::string& key_bytes) {
  std::vector<uint8_t> bytes;
  if (!config::decode_receiver_secret(secret, bytes)) return false;
  key_bytes.assign(bytes.begin(), bytes.end());
  return true;
}

std::string standard_signature(std::string_view key_bytes, std::string_view msg_id, int64_t timestamp,
                               std::string_view body) {
  const std::string ts = std::to_string(timestamp);
  const digest d = hmac_sha256(key_bytes, {msg_id, ".", ts, ".", body});
  return "v1," + base64_encode(d.data(), d.size());
}

std::string standard_signature_header(const std::vector<std::string>& secrets, std::string_view msg_id,
                                      int64_t ts, std::string_view body) {
  std::string header, key;
  for (const auto& secret : secrets) {
    if (!decode_whsec(secret, key)) continue;
    if (!header.empty()) header += ' ';
    header += standard_signature(key, msg_id, ts, body);
  }
  return header;
}

std::string github_signature(std::string_view secret, std::string_view body) {
  return std::string(kGithubPrefix) + hex_encode(hmac_sha256(secret, {body}));
}

const char* to_string(verify_result r) {
  switch (r) {
    case verify_result::ok:
      return "ok";
    case verify_result::missing_headers:
      return "missing headers";
    case verify_result::bad_timestamp:
      return "bad timestamp";
    case verify_result::too_old:
      return "timestamp too old";
    case verify_result::too_new:
      return "timestamp too new";
    case verify_result::no_match:
      return "no matching signature";
  }
  return "unknown";
}

verify_result verify_standard(const std::vector<std::string>& secrets, std::string_view msg_id,
                              std::string_view timestamp, std::string_view signature_header,
                              std::string_view body, int64_t now, int64_t tolerance_s) {
  if (msg_id.empty() || timestamp.empty() || signature_header.empty()) return verify_result::missing_headers;
  int64_t ts = 0;
  if (!parse_unix_seconds(timestamp, ts)) return verify_result::bad_timestamp;
  if (now - ts > tolerance_s) return verify_result::too_old;
  if (ts - now > tolerance_s) return verify_result::too_new;

  std::vector<std::string> expected;  // "v1,<base64>" per usable secret
  std::string key;
  for (const auto& secret : secrets)
    if (decode_standard_secret(secret, key)) expected.push_back(standard_signature(key, msg_id, ts, body));

  bool matched = false;
  size_t pos = 0;
  while (pos < signature_header.size()) {
    size_t end = signature_header.find(' ', pos);
    if (end == std::string_view::npos) end = signature_header.size();
    std::string_view entry = signature_header.substr(pos, end - pos);
    pos = end + 1;
    if (entry.substr(0, 3) != "v1,") continue;
    // No early exit: the work done does not depend on which secret or entry matched.
    for (const auto& e : expected) matched |= constant_time_equal(entry, e);
  }
  return matched ? verify_result::ok : verify_result::no_match;
}

bool verify_github(const std::vector<std::string>& secrets, std::string_view header, std::string_view body) {
  if (header.substr(0, kGithubPrefix.size()) != kGithubPrefix || body.empty()) return false;
  bool matched = false;
  for (const auto& secret : secrets)
    if (!secret.empty()) matched |= constant_time_equal(header, github_signature(secret, body));
  return matched;
}

std::string new_secret() {
  std::array<unsigned char, 32> key{};
  random_bytes(key.data(), key.size());
  std::string out = std::string(kWhsecPrefix) + base64_encode(key.data(), key.size());
  OPENSSL_cleanse(key.data(), key.size());
  return out;
}

std::vector<std::string> split_secrets(std::string_view value) {
  return config::split_secrets(value);
}

}  // namespace spec_notify::deliverer
