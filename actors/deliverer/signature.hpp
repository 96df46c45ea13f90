#pragma once
// Webhook signing and verification (pure functions, OpenSSL underneath).
//
// Standard Webhooks: `webhook-signature: v1,<base64(HMAC-SHA256(key, id + "." + ts + "." + body))>`, one
// `v1,` entry per configured secret, space-separated; key = base64-decoded part of the secret after `whsec_`.
// GitHub: `x-hub-signature-256: sha256=<hex(HMAC-SHA256(secret text bytes, body))>`, one header keyed by one
// secret (request.cpp picks which: docs/security.md "Signing secrets").
//
// Callers: the deliverer signs each attempt; `spec-notify receive` verifies. Nothing here logs, and nothing
// here should be logged: secrets and signature values stay out of logs and evidence. Thread-safety: every
// function is reentrant.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spec_notify::deliverer {

// "whsec_" + standard base64 (padding optional) -> raw key bytes. Returns false, leaving `key_bytes`
// unspecified, when the prefix is missing, the base64 is malformed, or the key is empty.
bool decode_whsec(std::string_view secret, std::string& key_bytes);

// Receiver side: a Standard Webhooks secret as the official libraries read it -- "whsec_" optional, padding
// optional, non-zero trailing bits ignored (config::decode_receiver_secret). False (key unspecified) when
// they would refuse it.
bool decode_standard_secret(std::string_view secret, std::string& key_bytes);

// "v1,<base64>" for one raw key (see decode_whsec).
std::string standard_signature(std::string_view key_bytes, std::string_view msg_id, int64_t timestamp,
                               std::string_view body);

// The full `webhook-signature` header value: one v1 entry per `whsec_` secret, space-separated, order kept.
// Malformed secrets are skipped (config validation rejects them earlier); returns "" if none is usable.
std::string standard_signature_header(const std::vector<std::string>& secrets, std::string_view msg_id,
                                      int64_t ts, std::string_view body);

// "sha256=<lowercase hex>" keyed by the secret string exactly as configured (the full "whsec_..." text).
std::string github_signature(std::string_view secret, std::string_view body);

enum class verify_result { ok, missing_headers, bad_timestamp, too_old, too_new, no_match };
const char* to_string(verify_result r);

// Receiver side of Standard Webhooks: `timestamp` must be decimal unix seconds within `tolerance_s` of `now`
// (both ways); `signature_header` may carry several space-separated entries (non-v1 entries such as `v1a,` or
// `v2,` are ignored); ok when any entry is exactly "v1," + the signature of any secret decode_standard_secret
// accepts. Comparisons are constant-time (CRYPTO_memcmp).
verify_result verify_standard(const std::vector<std::string>& secrets, std::string_view msg_id,
                              std::string_view timestamp, std::string_view signature_header,
                              std::string_view body, int64_t now, int64_t tolerance_s = 300);

// True when `header` ("sha256=<lowercase hex>") matches github_signature() for any non-empty secret (every
// secret is tried: rotation). Like @octokit/webhooks-methods, an empty secret or an empty body never
// verifies. Constant-time compare.
bool verify_github(const std::vector<std::string>& secrets, std::string_view header, std::string_view body);

// "whsec_" + base64 of 32 bytes from RAND_bytes. Throws std::runtime_error if the CSPRNG fails (it never
// silently falls back to a weaker source).
std::string new_secret();

// Splits a secrets value (as stored in a `secret_env` variable) on ASCII white space.
std::vector<std::string> split_secrets(std::string_view value);

}  // namespace spec_notify::deliverer
