#pragma once
// Ids of events (evt_...) and deliveries (msg_..., the webhook-id): made by the differ, the router and the
// CLI, so they live here rather than in one stage.
#include <string>
#include <string_view>

namespace spec_notify::util {

// `prefix` + 26 random characters from [0-9A-Za-z] (~154 bits, RAND_bytes, unbiased), e.g. "msg_7Hq...".
// Unguessable, URL- and file-name-safe. Throws std::runtime_error if the CSPRNG fails.
std::string random_id(std::string_view prefix);

}  // namespace spec_notify::util
