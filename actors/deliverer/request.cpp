#include "actors/deliverer/request.hpp"

#include "actors/deliverer/signature.hpp"

namespace spec_notify::deliverer {

http_request build_request(const config::subscription_settings& sub, const delivery& d, int32_t attempt,
                           int64_t timestamp) {
  http_request r;
  r.url = sub.url;
  r.body = d.body;
  r.timeout = sub.timeout;
  r.ca_file = sub.ca_file;
  r.allow_link_local = sub.allow_link_local;
  r.proxy_host = sub.proxy.host;
  r.proxy_port = sub.proxy.port;
  r.proxy_username = sub.proxy.username;
  r.proxy_password = sub.proxy.password;
  r.proxy_error = sub.proxy.error;
  auto& h = r.headers;
  h.emplace_back("content-type", sub.content_type);
  h.emplace_back("user-agent", std::string("spec-notify/") + SPEC_NOTIFY_VERSION);
  h.emplace_back("webhook-id", d.id);
  h.emplace_back("webhook-timestamp", std::to_string(timestamp));
  // The Standard Webhooks signature is part of every signed delivery (contract); "github" and "both" add
  // GitHub's. Chat formats and templates are unsigned unless their signature key is set (signed_body).
  const bool sign = sub.signed_body();
  if (sign)
    h.emplace_back("webhook-signature", standard_signature_header(sub.secrets, d.id, timestamp, d.body));
  // GitHub-style receivers read ONE x-hub-signature-256 (a repeated header reaches them joined with ", ",
  // which no verifier accepts), so it is keyed by one secret: the dedicated github_secret when configured,
  // else the OLDEST whsec_ secret. During a rotation ("whsec_NEW whsec_OLD") every receiver still holds the
  // old one; the key moves to the new one when the old is removed -- the same moment Standard receivers must
  // have switched (docs/security.md "Signing secrets").
  if (sign && sub.signature != config::signature_mode::standard) {
    if (!sub.github_secret.empty())
      h.emplace_back("x-hub-signature-256", github_signature(sub.github_secret, d.body));
    else if (!sub.secrets.empty())
      h.emplace_back("x-hub-signature-256", github_signature(sub.secrets.back(), d.body));
  }
  h.emplace_back("x-spec-notify-event", d.event_type);
  // The body is payload v1 only in the standard format.
  if (sub.format == config::body_format::standard && sub.template_file.empty())
    h.emplace_back("x-spec-notify-schema", "1");
  h.emplace_back("x-spec-notify-attempt", std::to_string(attempt));
  return r;
}

bool is_secret_header(const std::string& name) {
  return name == "webhook-signature" || name == "x-hub-signature-256";
}

}  // namespace spec_notify::deliverer
