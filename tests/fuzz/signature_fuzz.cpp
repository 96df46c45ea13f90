// libFuzzer target: Standard Webhooks verification (actors/deliverer/signature.hpp, verify_standard) with
// fuzzed headers, as `spec-notify receive` sees them from the network.
// Input, one field per line: msg_id, webhook-timestamp, webhook-signature, then the body (rest of the input).
// Checks: never throws; garbage never verifies unless it is a genuine signature; and the round trip: a header
// produced by standard_signature_header() for the same id/timestamp/body always verifies (and
// verify_github accepts github_signature()).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actors/deliverer/signature.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace deliverer = spec_notify::deliverer;

namespace {

const std::vector<std::string> kSecrets = {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                           "whsec_c3BlYy1ub3RpZnktZnV6ei1zZWNvbmQta2V5IQ=="};
constexpr int64_t kNow = 1759587327;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto f =
      spec_notify::fuzz::split_fields(std::string_view(reinterpret_cast<const char*>(data), size), 4);
  const std::string_view msg_id = f[0], timestamp = f[1], header = f[2], body = f[3];

  const deliverer::verify_result r =
      deliverer::verify_standard(kSecrets, msg_id, timestamp, header, body, kNow);
  FUZZ_CHECK(deliverer::to_string(r) != nullptr);
  (void)deliverer::verify_standard({}, msg_id, timestamp, header, body, kNow);
  (void)deliverer::verify_standard({std::string(header)}, msg_id, timestamp, header, body, kNow, 0);
  (void)deliverer::verify_github(kSecrets, header, body);
  (void)deliverer::split_secrets(header);
  std::string key;
  (void)deliverer::decode_whsec(header, key);

  if (msg_id.empty()) return 0;  // a webhook-id is required: nothing to sign
  // Round trip: what we sign, we verify.
  const std::string good = deliverer::standard_signature_header(kSecrets, msg_id, kNow, body);
  FUZZ_CHECK(!good.empty());
  FUZZ_CHECK(deliverer::verify_standard(kSecrets, msg_id, std::to_string(kNow), good, body, kNow) ==
             deliverer::verify_result::ok);
  // ... and a fuzzed header in front of a genuine entry does not hide it.
  const std::string mixed = std::string(header) + " " + good;
  FUZZ_CHECK(deliverer::verify_standard(kSecrets, msg_id, std::to_string(kNow), mixed, body, kNow) ==
             deliverer::verify_result::ok);
  // Like @octokit/webhooks-methods, an empty body never verifies (signature.hpp).
  FUZZ_CHECK(deliverer::verify_github(kSecrets, deliverer::github_signature(kSecrets[1], body), body) ==
             !body.empty());
  return 0;
}
