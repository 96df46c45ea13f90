#pragma once
// Webhook signing secrets: the value of a subscription's secret_env variable is one or more `whsec_<base64>`
// secrets, space-separated, newest first. Pure functions, thread-safe. config/settings.cpp validates with
// them at load time; the deliverer uses decode_whsec to obtain HMAC keys.
// Nothing here ever puts a secret (or part of one) into an error message.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "messages/status.hpp"

namespace spec_notify::config {

inline constexpr std::string_view kSecretPrefix = "whsec_";
inline constexpr size_t kMinSecretBytes = 24;

// Splits an env var value on ASCII white space (spaces, tabs, newlines); empty parts are dropped.
std::vector<std::string> split_secrets(std::string_view value);

// Decodes `secret` = "whsec_" + standard base64 (padding optional) into the HMAC key bytes.
// Fails, with a message that never contains the secret, when the prefix is missing, the base64 is
// malformed, or the key is shorter than kMinSecretBytes.
result<std::vector<uint8_t>> decode_whsec(std::string_view secret);

// Strict standard-alphabet base64 decoding ('=' padding optional, no white space). False on any bad input.
bool base64_decode(std::string_view text, std::vector<uint8_t>& out);

// Receiver side: a Standard Webhooks secret read the way the official libraries (JavaScript
// `standardwebhooks`, Python `standardwebhooks`) read it, accepting exactly what BOTH of them accept: the
// "whsec_" prefix is optional; standard base64 alphabet; 0-2 trailing '=' (extra padding after a full block
// is fine); unused trailing bits need not be zero. Refused (either library refuses): other characters (white
// space, the url-safe '-' '_', '=' inside), a data length of 4n+1, fewer than 4 characters in all
// (JavaScript), an empty key. No minimum key length: the libraries have none (the sender's config keeps its
// kMinSecretBytes).
bool decode_receiver_secret(std::string_view secret, std::vector<uint8_t>& key);

}  // namespace spec_notify::config
