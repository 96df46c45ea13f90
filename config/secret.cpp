#include "config/secret.hpp"

namespace spec_notify::config {
namespace {

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

std::vector<std::string> split_secrets(std::string_view value) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && is_space(value[i])) ++i;
    size_t start = i;
    while (i < value.size() && !is_space(value[i])) ++i;
    if (i > start) parts.emplace_back(value.substr(start, i - start));
  }
  return parts;
}

namespace {

// `canonical`: padding, when present, completes the last block, and unused trailing bits are zero (one
// encoding per key). Otherwise any 0-2 '=' are accepted and trailing bits ignored, as the official Standard
// Webhooks libraries do.
bool decode_base64(std::string_view text, std::vector<uint8_t>& out, bool canonical) {
  size_t padding = 0;
  while (!text.empty() && text.back() == '=' && padding < 2) {
    text.remove_suffix(1);
    ++padding;
  }
  // With padding the total length must be a multiple of 4; without, a remainder of 1 is never valid.
  if ((canonical && padding > 0 && (text.size() + padding) % 4 != 0) || text.size() % 4 == 1) return false;
  std::vector<uint8_t> bytes;
  bytes.reserve(text.size() * 3 / 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = base64_value(c);
    if (v < 0) return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<uint8_t>((buffer >> bits) & 0xff));
    }
  }
  // Leftover bits must be zero, otherwise two encodings would decode to the same key.
  if (canonical && bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return false;
  out = std::move(bytes);
  return true;
}

}  // namespace

bool base64_decode(std::string_view text, std::vector<uint8_t>& out) {
  return decode_base64(text, out, true);
}

bool decode_receiver_secret(std::string_view secret, std::vector<uint8_t>& key) {
  if (secret.substr(0, kSecretPrefix.size()) == kSecretPrefix) secret.remove_prefix(kSecretPrefix.size());
  // JavaScript's decoder refuses input shorter than 4 characters (padding included) even where Python
  // decodes it ("QQ"); the JavaScript one also decodes a 4n+1 data length that Python refuses.
  if (secret.size() < 4) return false;
  std::vector<uint8_t> bytes;
  if (!decode_base64(secret, bytes, false) || bytes.empty()) return false;
  key = std::move(bytes);
  return true;
}

result<std::vector<uint8_t>> decode_whsec(std::string_view secret) {
  if (secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
    return status::failure("does not start with 'whsec_'");
  }
  std::vector<uint8_t> bytes;
  if (!base64_decode(secret.substr(kSecretPrefix.size()), bytes)) {
    return status::failure("the part after 'whsec_' is not valid base64");
  }
  if (bytes.size() < kMinSecretBytes) {
    return status::failure("decodes to " + std::to_string(bytes.size()) + " bytes, at least " +
                           std::to_string(kMinSecretBytes) +
                           " are required (create one with `spec-notify secret new`)");
  }
  return bytes;
}

}  // namespace spec_notify::config
