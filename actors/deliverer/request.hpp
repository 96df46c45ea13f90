#pragma once
// Builds the HTTP request of one attempt: content-type (the subscription's content_type), Standard Webhooks
// headers (signature recomputed with a fresh timestamp on every attempt, one v1 entry per secret; left out,
// with the GitHub one, for an unsigned chat format or template: subscription_settings::signed_body), the
// optional GitHub header, and the x-spec-notify-* headers (x-spec-notify-schema only for payload v1
// bodies). Pure; the secrets live only in the subscription settings handed in.
#include <cstdint>

#include "actors/deliverer/http_sender.hpp"
#include "config/settings.hpp"
#include "messages/delivery.hpp"

namespace spec_notify::deliverer {

// `attempt` is 1-based; `timestamp` is unix seconds of this attempt.
http_request build_request(const config::subscription_settings& sub, const delivery& d, int32_t attempt,
                           int64_t timestamp);

// Header names whose values must never reach logs or evidence.
bool is_secret_header(const std::string& name);

}  // namespace spec_notify::deliverer
